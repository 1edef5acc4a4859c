package headcount

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/preau/preau/shared/registry"
)

// CSV writes counts as a French spreadsheet opens them: UTF-8 with a byte-order mark, ";"
// between cells, one line per activity and site, the diets of registry.Diets as columns.
func CSV(counts []Count) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	header := []string{"jour", "activité", "site", "statut", "total"}
	header = append(header, registry.Diets...)
	header = append(header, "autres régimes", "PAI")
	_ = w.Write(header)
	for _, c := range counts {
		status := "provisoire"
		switch {
		case !c.Open:
			status = "fermé : " + c.Closed
		case c.Final:
			status = "définitif"
		}
		row := []string{c.Day.String(), c.Activity.Label(), c.SiteName, status, strconv.Itoa(c.Total)}
		other := 0
		for i, d := range c.Diets {
			if i < len(registry.Diets) {
				row = append(row, strconv.Itoa(d.N))
			} else {
				other += d.N
			}
		}
		for len(row) < 5+len(registry.Diets) {
			row = append(row, "0")
		}
		row = append(row, strconv.Itoa(other), strconv.Itoa(c.PAI))
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}
