// Package export gathers everything Préau holds on a parent and their family, for the right of
// access and portability ("Télécharger mes données"): the account, the family record with its
// children and enrolments, the bookings and their history, and every other kind of data a
// Source adds (invoices, payments, reminder preferences, messages…), as JSON and as a CSV a
// spreadsheet opens (UTF-8 with BOM, ';').
//
// An export reads only through the family the parent belongs to: the family is read for its
// member (a parent the town hall removed sees it no more), and bookings through projections of
// the family's own children, so nothing of another family can enter it.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

// Subject is whose data an export gathers: the parent's account and, when linked, their family.
type Subject struct {
	Account    accounts.Account
	Family     *family.Family // nil when the account is not linked to a family
	Children   []family.Child
	Enrolments []family.Enrolment
	Members    []string // e-mails of the family's parent accounts
}

// ChildName returns the first name of the subject's child id ("" when not theirs).
func (s Subject) ChildName(id string) string {
	for _, c := range s.Children {
		if c.ID == id {
			return c.FirstName
		}
	}
	return ""
}

// Section is one kind of data of an export: its JSON value under Key, and the same records as
// a table under Title for the CSV.
type Section struct {
	Key     string // JSON key, e.g. "bookings"
	Title   string // CSV block title, e.g. "Réservations"
	Columns []string
	Rows    [][]string
	Data    any
}

// Source adds one or more kinds of data of a subject to the export. Each kind of data Préau
// holds on a family has its Source; a new kind of item comes with a new Source.
type Source interface {
	Sections(ctx context.Context, s Subject, now time.Time) ([]Section, error)
}

// AccountReader reads an account by e-mail (accounts.ErrNotFound when there is none).
type AccountReader interface {
	Account(ctx context.Context, email string) (accounts.Account, error)
}

// FamilyReader reads the family of a member: its record when email is a member of it
// (accounts.ErrNotFound otherwise), and its children, enrolments and members.
type FamilyReader interface {
	FamilyOfMember(ctx context.Context, familyID, email string) (family.Family, []family.Child, error)
	FamilyEnrolments(ctx context.Context, familyID string) ([]family.Enrolment, []string, error)
}

// Export is everything gathered, in the order of its sections.
type Export struct {
	Commune     string
	GeneratedAt time.Time
	Sections    []Section
}

// Service gathers exports.
type Service struct {
	Commune  string
	Accounts AccountReader
	Families FamilyReader
	Sources  []Source
}

// ErrNoAccount is returned when the signed-in parent's account no longer exists.
var ErrNoAccount = errors.New("export: no account")

// Gather reads everything held on the parent email at now.
func (s *Service) Gather(ctx context.Context, email string, now time.Time) (Export, error) {
	acc, err := s.Accounts.Account(ctx, email)
	if errors.Is(err, accounts.ErrNotFound) {
		return Export{}, ErrNoAccount
	}
	if err != nil {
		return Export{}, fmt.Errorf("export: %w", err)
	}
	sub := Subject{Account: acc}
	if acc.FamilyID != "" {
		fam, children, err := s.Families.FamilyOfMember(ctx, acc.FamilyID, acc.Email)
		switch {
		case errors.Is(err, accounts.ErrNotFound):
			// Removed from the family by the town hall: nothing of it is theirs any more.
		case err != nil:
			return Export{}, fmt.Errorf("export: family: %w", err)
		default:
			enrolments, members, err := s.Families.FamilyEnrolments(ctx, acc.FamilyID)
			if err != nil {
				return Export{}, fmt.Errorf("export: enrolments: %w", err)
			}
			sub.Family, sub.Children, sub.Enrolments, sub.Members = &fam, children, enrolments, members
		}
	}
	out := Export{Commune: s.Commune, GeneratedAt: now, Sections: core(sub)}
	for _, src := range s.Sources {
		secs, err := src.Sections(ctx, sub, now)
		if err != nil {
			return Export{}, fmt.Errorf("export: %w", err)
		}
		out.Sections = append(out.Sections, secs...)
	}
	return out, nil
}

// Paris formats an instant as parents read it, in Europe/Paris ("" for zero).
func Paris(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(date.Paris).Format("2006-01-02 15:04:05")
}

// RFC3339 formats an instant for JSON in Paris time with its offset (nil for zero).
func RFC3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(date.Paris).Format(time.RFC3339)
	return &s
}

// MaskCode shows a subscriber code's prefix and last four characters only: the code is a secret
// that links an account to the family, and an export file travels.
func MaskCode(code string) string {
	if len(code) <= 4 {
		return "****"
	}
	keep := code[len(code)-4:]
	head := code[:len(code)-4]
	masked := []byte(head)
	// The commune's prefix (up to the last '-' before the random part) stays readable.
	for i := len(masked) - 1; i >= 0 && i >= len(masked)-5; i-- {
		if masked[i] != '-' {
			masked[i] = '*'
		}
	}
	return string(masked) + keep
}

type accountJSON struct {
	Email       string  `json:"email"`
	Civility    string  `json:"civility"`
	LastName    string  `json:"lastName"`
	FirstName   string  `json:"firstName"`
	CreatedAt   *string `json:"createdAt"`
	ConfirmedAt *string `json:"confirmedAt"`
	// PasswordChangedAt is the last password change; the password's hash is held but not
	// exported: it would only help someone who stole the file to guess the password.
	PasswordChangedAt *string `json:"passwordChangedAt"`
	LinkedToFamily    bool    `json:"linkedToFamily"`
}

type familyJSON struct {
	Name            string   `json:"name"`
	SubscriberCode  string   `json:"subscriberCode"`
	QuotientBracket string   `json:"quotientBracket"`
	Members         []string `json:"members"`
}

type childJSON struct {
	ID        string    `json:"id"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	BirthDate date.Date `json:"birthDate"`
	School    string    `json:"school"`
	Diet      string    `json:"diet"`
}

type enrolmentJSON struct {
	Child    string     `json:"childId"`
	Activity string     `json:"activity"`
	Site     string     `json:"site"`
	From     date.Date  `json:"from"`
	Until    *date.Date `json:"until"`
}

// core is the account and the family record.
func core(s Subject) []Section {
	a := s.Account
	acc := Section{Key: "account", Title: "Compte",
		Columns: []string{"E-mail", "Civilité", "Nom", "Prénom", "Créé le", "Confirmé le", "Mot de passe changé le"},
		Rows:    [][]string{{a.Email, a.Civility, a.LastName, a.FirstName, Paris(a.CreatedAt), Paris(a.ConfirmedAt), Paris(a.PasswordChangedAt)}},
		Data: accountJSON{Email: a.Email, Civility: a.Civility, LastName: a.LastName, FirstName: a.FirstName,
			CreatedAt: RFC3339(a.CreatedAt), ConfirmedAt: RFC3339(a.ConfirmedAt), PasswordChangedAt: RFC3339(a.PasswordChangedAt),
			LinkedToFamily: s.Family != nil}}
	fam := Section{Key: "family", Title: "Famille", Columns: []string{"Nom", "Code abonné", "Tranche de quotient", "Parents rattachés"}}
	if f := s.Family; f != nil {
		members := append([]string{}, s.Members...)
		fam.Rows = [][]string{{f.Name, MaskCode(f.SubscriberCode), f.QuotientBracket, joinComma(members)}}
		fam.Data = familyJSON{Name: f.Name, SubscriberCode: MaskCode(f.SubscriberCode), QuotientBracket: f.QuotientBracket, Members: members}
	}
	children := Section{Key: "children", Title: "Enfants", Columns: []string{"Identifiant", "Prénom", "Nom", "Date de naissance", "École", "Régime"},
		Data: []childJSON{}}
	for _, c := range s.Children {
		children.Rows = append(children.Rows, []string{c.ID, c.FirstName, c.LastName, c.BirthDate.String(), c.School, c.Diet})
		children.Data = append(children.Data.([]childJSON), childJSON{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName,
			BirthDate: c.BirthDate, School: c.School, Diet: c.Diet})
	}
	enrol := Section{Key: "enrolments", Title: "Inscriptions", Columns: []string{"Enfant", "Activité", "Site", "Du", "Au"},
		Data: []enrolmentJSON{}}
	for _, e := range s.Enrolments {
		until := ""
		var untilJSON *date.Date
		if !e.Until.IsZero() {
			until = e.Until.String()
			u := e.Until
			untilJSON = &u
		}
		enrol.Rows = append(enrol.Rows, []string{s.ChildName(e.ChildID), e.Activity.Label(), e.Site, e.From.String(), until})
		enrol.Data = append(enrol.Data.([]enrolmentJSON), enrolmentJSON{Child: e.ChildID, Activity: string(e.Activity),
			Site: e.Site, From: e.From, Until: untilJSON})
	}
	return []Section{acc, fam, children, enrol}
}

func joinComma(ss []string) string {
	var b bytes.Buffer
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s)
	}
	return b.String()
}

// JSON is the export as one JSON document: {"commune", "generatedAt", <key>: <data>, …}.
func (e Export) JSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	write := func(key string, v any, last bool) error {
		kb, _ := json.Marshal(key)
		vb, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return fmt.Errorf("export json %s: %w", key, err)
		}
		b.WriteString("  ")
		b.Write(kb)
		b.WriteString(": ")
		b.Write(vb)
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	if err := write("commune", e.Commune, false); err != nil {
		return nil, err
	}
	if err := write("generatedAt", RFC3339(e.GeneratedAt), len(e.Sections) == 0); err != nil {
		return nil, err
	}
	for i, s := range e.Sections {
		if err := write(s.Key, s.Data, i == len(e.Sections)-1); err != nil {
			return nil, err
		}
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// CSV is the export as one sheet a spreadsheet opens as it is (UTF-8 with a byte-order mark,
// ';' between columns, CRLF lines): each section is its title, its column names and its rows,
// then an empty line.
func (e Export) CSV() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.UseCRLF = true
	_ = w.Write([]string{"Données du portail famille de " + e.Commune, "au " + Paris(e.GeneratedAt)})
	_ = w.Write(nil)
	for _, s := range e.Sections {
		_ = w.Write([]string{s.Title})
		_ = w.Write(s.Columns)
		for _, r := range s.Rows {
			_ = w.Write(r)
		}
		if len(s.Rows) == 0 {
			_ = w.Write([]string{"(aucune donnée)"})
		}
		_ = w.Write(nil)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("export csv: %w", err)
	}
	return b.Bytes(), nil
}

// Store is what the Service reads from: accounts, families, reservation days, invoices.
type Store interface {
	AccountReader
	FamilyReader
	DayReader
	InvoiceReader
	ThreadReader
	PreferenceReader
}

// MonthsAhead is how far ahead bookings are read: a school year is booked at most a year ahead.
const MonthsAhead = 13

// NewService gathers from st every kind of data Préau holds on a family.
func NewService(commune string, st Store) *Service {
	return &Service{Commune: commune, Accounts: st, Families: st,
		Sources: []Source{Bookings{Days: st, MonthsAhead: MonthsAhead}, Invoices{Invoices: st},
			ReminderPreferences{Parents: st}, Messages{Threads: st}}}
}
