package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// MaxImportLines bounds a file (a commune's families and children fit many times over).
const MaxImportLines = 5000

// Columns of the import file, as its header names them (case, accents, spaces and
// underscores do not matter). One line per child; a family without children has one line with
// the child columns empty.
var (
	requiredColumns = []string{"reference", "famille", "tranche"}
	optionalColumns = []string{"code_abonne", "resident", "enfant_prenom", "enfant_nom", "naissance", "ecole", "classe", "regime", "pai"}
)

// LineError is a refusal of one line of the file, in French.
type LineError struct {
	Line    int
	Message string
}

// ImportReport is what an import did, or why it did nothing.
type ImportReport struct {
	Encoding  string // "UTF-8" or "Windows-1252"
	Separator string // ";" or ","
	Errors    []LineError
	// On success (no Errors):
	FamiliesNew, FamiliesUpdated, Children int
}

// ErrImportRefused is returned with a report listing each line's problems: nothing was written.
var ErrImportRefused = fault.New(fault.Invalid, "import-refused", "Fichier refusé",
	"Le fichier contient des erreurs : rien n'a été importé. Corrigez les lignes indiquées puis importez-le à nouveau.")

type importFamily struct {
	line     int
	ref      string
	fam      family.Family
	code     string // given by the file, normalised ("" to keep or issue one)
	children []family.Child
}

// Import reads the mairie's CSV file of families and children (UTF-8 or Windows-1252, ";"
// or ","), validates every line and, only if all are valid, writes them. Families are keyed
// by their reference in the file and children by reference, first name and birth date, so
// importing the same file again updates rather than duplicates, and a retried import
// converges.
func (s *Service) Import(ctx context.Context, who string, raw []byte, now time.Time) (ImportReport, error) {
	rep := ImportReport{}
	text, enc := decode(raw)
	rep.Encoding = enc
	sep := separator(text)
	rep.Separator = string(sep)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.TrimLeadingSpace = sep, -1, true
	bad := func(line int, format string, args ...any) {
		rep.Errors = append(rep.Errors, LineError{Line: line, Message: fmt.Sprintf(format, args...)})
	}
	header, err := r.Read()
	if err != nil {
		bad(1, "le fichier est vide ou illisible.")
		return rep, ErrImportRefused
	}
	col := map[string]int{}
	for i, h := range header {
		col[columnKey(h)] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			bad(1, "la colonne « %s » manque dans l'en-tête (colonnes attendues : %s ; facultatives : %s).", c,
				strings.Join(requiredColumns, ", "), strings.Join(optionalColumns, ", "))
		}
	}
	if len(rep.Errors) > 0 {
		return rep, ErrImportRefused
	}
	choices, err := s.Choices(ctx)
	if err != nil {
		return rep, err
	}

	var order []string
	byRef := map[string]*importFamily{}
	seenChild := map[string]int{}
	codeOwner := map[string]string{}
	for n := 2; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if n > MaxImportLines+1 {
			bad(n, "le fichier dépasse %d lignes : découpez-le.", MaxImportLines)
			break
		}
		line := n
		if pe := (*csv.ParseError)(nil); errors.As(err, &pe) {
			bad(pe.StartLine, "ligne illisible (guillemets mal fermés ?).")
			continue
		} else if err != nil {
			return rep, fmt.Errorf("import: %w", err)
		}
		line, _ = r.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		ref := get("reference")
		if ref == "" || utf8.RuneCountInString(ref) > 60 {
			bad(line, "la référence de la famille est vide ou trop longue (60 caractères au plus).")
			continue
		}
		in := FamilyInput{Name: get("famille"), Bracket: get("tranche")}
		resident, ok := yesNo(get("resident"), true)
		if !ok {
			bad(line, "« résident » doit valoir oui ou non (pas « %s »).", get("resident"))
		}
		in.Resident = resident
		var ff fault.Fields
		in.check(choices, &ff)
		for _, fe := range ff {
			bad(line, "%s", lowerFirst(fe.Detail))
		}
		code := ""
		if c := get("code_abonne"); c != "" {
			code = family.NormaliseCode(s.Prefix, c)
			if !family.ValidCodeShape(s.Prefix, code) {
				bad(line, "le code abonné « %s » n'a pas la forme %sXXXX-XXXX.", c, s.Prefix)
				code = ""
			} else if other, ok := codeOwner[code]; ok && other != ref {
				bad(line, "le code abonné %s est déjà donné à la famille de référence « %s » plus haut dans le fichier.", code, other)
			} else {
				codeOwner[code] = ref
			}
		}
		f, seen := byRef[ref]
		if !seen {
			f = &importFamily{line: line, ref: ref, code: code,
				fam: family.Family{ID: importID("f_", ref), Name: in.Name, QuotientBracket: in.Bracket, NonResident: !in.Resident}}
			byRef[ref] = f
			order = append(order, ref)
		} else if f.fam.Name != in.Name || f.fam.QuotientBracket != in.Bracket || f.fam.NonResident == in.Resident || (code != "" && f.code != code) {
			bad(line, "la famille de référence « %s » est décrite autrement à la ligne %d (nom, tranche, résident et code doivent être les mêmes).", ref, f.line)
		}
		if get("enfant_prenom")+get("enfant_nom")+get("naissance") == "" {
			continue
		}
		pai, ok := yesNo(get("pai"), false)
		if !ok {
			bad(line, "« PAI » doit valoir oui ou non (pas « %s »).", get("pai"))
		}
		ci := ChildInput{FirstName: get("enfant_prenom"), LastName: get("enfant_nom"), BirthDate: get("naissance"),
			School: schoolID(choices, get("ecole")), Class: get("classe"), Diet: get("regime"), PAI: pai}
		var cf fault.Fields
		d, _ := ci.check(choices, &cf, "")
		for _, fe := range cf {
			msg := lowerFirst(fe.Detail)
			if fe.Field == "school" {
				msg = fmt.Sprintf("l'école « %s » n'est pas un site de la commune (%s).", get("ecole"), siteList(choices))
			}
			bad(line, "%s", msg)
		}
		if len(cf) > 0 {
			continue
		}
		childKey := ref + "|" + strings.ToLower(ci.FirstName) + "|" + d.String()
		if first, dup := seenChild[childKey]; dup {
			bad(line, "cet enfant (%s, né(e) le %s) figure déjà à la ligne %d.", ci.FirstName, frDay(d), first)
			continue
		}
		seenChild[childKey] = line
		f.children = append(f.children, family.Child{ID: importID("c_", childKey), FamilyID: f.fam.ID, FirstName: ci.FirstName,
			LastName: ci.LastName, BirthDate: d, School: ci.School, Class: ci.Class, Diet: ci.Diet, PAI: ci.PAI})
	}
	if len(order) == 0 && len(rep.Errors) == 0 {
		bad(2, "le fichier ne contient aucune famille.")
	}
	if len(rep.Errors) > 0 {
		return rep, ErrImportRefused
	}

	// Codes named by the file must be free or already this family's; families already
	// imported keep their code.
	existing := map[string]Record{}
	for _, ref := range order {
		f := byRef[ref]
		rec, err := s.Store.FamilyRecord(ctx, f.fam.ID)
		switch {
		case err == nil:
			existing[ref] = rec
		case !errors.Is(err, ErrNotFound):
			return rep, fmt.Errorf("import: %w", err)
		}
		if f.code != "" {
			c, err := s.Store.Code(ctx, f.code)
			switch {
			case err == nil && c.FamilyID != f.fam.ID:
				bad(f.line, "le code abonné %s est déjà celui d'une autre famille.", f.code)
			case err == nil && c.Revoked:
				bad(f.line, "le code abonné %s a été révoqué : laissez la colonne vide pour en émettre un nouveau.", f.code)
			case err != nil && !errors.Is(err, ErrNotFound):
				return rep, fmt.Errorf("import: %w", err)
			}
		}
	}
	if len(rep.Errors) > 0 {
		return rep, ErrImportRefused
	}

	// Everything is valid: write. Each write is idempotent (keys from the file), so an import
	// interrupted here is completed by importing the same file again.
	for _, ref := range order {
		f := byRef[ref]
		old, had := existing[ref]
		switch {
		case f.code != "":
			f.fam.SubscriberCode = f.code
			err := s.Store.CreateCode(ctx, family.SubscriberCode{Code: f.code, FamilyID: f.fam.ID})
			if err != nil && !errors.Is(err, ErrExists) {
				return rep, fmt.Errorf("import: %w", err)
			}
		case had && old.Family.SubscriberCode != "":
			f.fam.SubscriberCode = old.Family.SubscriberCode
		default:
			code, err := s.newCode(ctx, f.fam.ID)
			if err != nil {
				return rep, fmt.Errorf("import: %w", err)
			}
			f.fam.SubscriberCode = code
		}
		if err := s.Store.PutFamily(ctx, f.fam); err != nil {
			return rep, fmt.Errorf("import: %w", err)
		}
		for _, c := range f.children {
			if err := s.Store.PutChild(ctx, c); err != nil {
				return rep, fmt.Errorf("import: %w", err)
			}
		}
		if had {
			rep.FamiliesUpdated++
		} else {
			rep.FamiliesNew++
		}
		rep.Children += len(f.children)
		before := ""
		if had {
			before = describe(old.Family) + fmt.Sprintf(", %d enfant(s)", len(old.Children))
		}
		if err := s.record(ctx, who, now, "Famille importée (CSV)", target(f.fam), before,
			describe(f.fam)+fmt.Sprintf(", code %s, %d enfant(s) dans le fichier", f.fam.SubscriberCode, len(f.children))); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// decode returns the file as UTF-8 text (without a byte-order mark) and its encoding: valid
// UTF-8 is taken as such, anything else is read as Windows-1252 (what spreadsheets save on
// French Windows).
func decode(raw []byte) (string, string) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if utf8.Valid(raw) {
		return string(raw), "UTF-8"
	}
	var b strings.Builder
	for _, c := range raw {
		if c >= 0x80 && c < 0xa0 {
			b.WriteRune(cp1252[c-0x80])
		} else {
			b.WriteRune(rune(c))
		}
	}
	return b.String(), "Windows-1252"
}

// cp1252 maps Windows-1252's 0x80–0x9F (the rest is Latin-1); unassigned bytes become U+FFFD.
var cp1252 = [32]rune{
	'€', '\ufffd', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\ufffd', 'Ž', '\ufffd',
	'\ufffd', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\ufffd', 'ž', 'Ÿ',
}

// separator is ";" unless the header line has more commas than semicolons.
func separator(text string) rune {
	header, _, _ := strings.Cut(text, "\n")
	if strings.Count(header, ",") > strings.Count(header, ";") {
		return ','
	}
	return ';'
}

// columnKey folds a header cell: lower case, no accents, spaces and dashes as underscores.
func columnKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "à", "a", "ô", "o", "î", "i", "ç", "c", " ", "_", "-", "_", "'", "_").Replace(h)
	switch h {
	case "code", "code_abonnee":
		return "code_abonne"
	case "prenom", "prenom_enfant":
		return "enfant_prenom"
	case "nom_enfant":
		return "enfant_nom"
	case "date_de_naissance", "date_naissance":
		return "naissance"
	case "regime_alimentaire":
		return "regime"
	case "quotient", "tranche_quotient":
		return "tranche"
	case "nom_famille", "nom_de_famille":
		return "famille"
	}
	return h
}

func yesNo(s string, empty bool) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return empty, true
	case "oui", "o", "yes", "1", "x", "vrai":
		return true, true
	case "non", "n", "no", "0", "faux":
		return false, true
	}
	return false, false
}

// schoolID finds a site by its identifier or its name (case-insensitive).
func schoolID(c Choices, s string) string {
	for _, site := range c.Sites {
		if strings.EqualFold(site.ID, s) || strings.EqualFold(site.Name, s) {
			return site.ID
		}
	}
	return s
}

func siteList(c Choices) string {
	names := make([]string, 0, len(c.Sites))
	for _, s := range c.Sites {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// importID derives a stable identifier from the file's keys (so a retry writes the same items).
func importID(prefix, k string) string {
	sum := sha256.Sum256([]byte("preau-import|" + k))
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	out := make([]byte, 0, 10)
	for _, b := range sum[:10] {
		out = append(out, alphabet[int(b)%32])
	}
	return prefix + string(out)
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}
