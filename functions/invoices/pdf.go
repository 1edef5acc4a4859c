package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
)

// InvoicePDF lays out inv as an A4 PDF: the commune and its régie, the family, one line per
// child and activity, the total, the due date and how to pay. The core fonts only know
// Windows-1252, which holds French letters and "€"; generated is the PDF's creation date.
func InvoicePDF(inv billing.Invoice, commune string, regie Regie, generated time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(generated)
	pdf.SetModificationDate(generated)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	t := func(s string) string { return tr(strings.ReplaceAll(s, "\u202f", " ")) } // narrow nbsp is not in cp1252
	pdf.SetTitle("Facture "+inv.Number, true)
	pdf.SetAuthor("Mairie de "+commune, true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 15)
	pdf.CellFormat(0, 8, t("Mairie de "+commune), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 5, t(regie.Name), "", 1, "L", false, 0, "")
	if regie.Address != "" {
		pdf.CellFormat(0, 5, t(regie.Address), "", 1, "L", false, 0, "")
	}
	pdf.Ln(8)

	pdf.SetFont("Helvetica", "B", 18)
	pdf.CellFormat(0, 10, t("Facture n° "+inv.Number), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 11)
	facts := [][2]string{
		{"Famille", inv.FamilyName},
		{"Période", billing.MonthLabel(inv.Month)},
		{"Date d'émission", fr.LongDateYear(inv.IssuedOn)},
		{"À payer au plus tard le", fr.LongDateYear(inv.DueOn)},
	}
	for _, f := range facts {
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(55, 6, t(f[0]), "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 11)
		pdf.CellFormat(0, 6, t(f[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(6)

	widths := []float64{62, 44, 14, 24, 30}
	header := []string{"Enfant et activité", "Lieu", "Jours", "Prix/jour", "Montant"}
	align := []string{"L", "L", "R", "R", "R"}
	pdf.SetFont("Helvetica", "B", 10)
	pdf.SetFillColor(230, 238, 246)
	for i, h := range header {
		pdf.CellFormat(widths[i], 8, t(h), "1", 0, align[i], true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range inv.Lines {
		cells := []string{l.Label(), l.SiteName, fmt.Sprint(l.Days), fr.Euros(l.UnitCents), fr.Euros(l.AmountCents)}
		for i, c := range cells {
			pdf.CellFormat(widths[i], 7, fit(pdf, t(c), widths[i]-2), "1", 0, align[i], false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 11)
	total := widths[0] + widths[1] + widths[2] + widths[3]
	pdf.CellFormat(total, 8, t("Total"), "1", 0, "R", true, 0, "")
	pdf.CellFormat(widths[4], 8, t(fr.Euros(inv.TotalCents)), "1", 1, "R", true, 0, "")
	pdf.Ln(8)

	pdf.SetFont("Helvetica", "B", 12)
	pdf.CellFormat(0, 7, t("Comment payer"), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	if p, ok := inv.PaidBy(); ok {
		pdf.MultiCell(0, 5, t("Cette facture a été payée "+p.Via().How()+" le "+fr.LongDateYear(date.Of(p.At))+" ("+fr.Euros(p.AmountCents)+"). Merci."), "", "L", false)
	} else {
		pdf.MultiCell(0, 5, t("Par carte bancaire, jusqu'au "+fr.LongDateYear(inv.DueOn)+" inclus : portail famille de "+commune+
			", rubrique Espace facturation, bouton « Payer en ligne » (paiement sécurisé PayFiP de la DGFiP)."), "", "L", false)
		pdf.Ln(2)
		pdf.MultiCell(0, 5, t("Après cette date, le paiement en ligne n'est plus possible : réglez la facture à la "+regie.Name+
			place(regie.Address)+", ou à réception de l'avis des sommes à payer du Trésor public, selon les moyens qu'il indique."), "", "L", false)
		pdf.Ln(2)
		pdf.MultiCell(0, 5, t("Référence à rappeler : facture n° "+inv.Number+"."), "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoice pdf: %w", err)
	}
	return buf.Bytes(), nil
}

func place(address string) string {
	if address == "" {
		return ""
	}
	return " (" + address + ")"
}

// fit shortens s (already translated) until it fits width mm in the current font.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []byte(s) // cp1252: one byte per character
	for len(r) > 1 && pdf.GetStringWidth(string(r)+"...") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "..."
}
