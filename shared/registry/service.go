package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
	"github.com/preau/preau/shared/staff"
)

// Diets are the diets the kitchen knows.
var Diets = []string{"standard", "sans porc", "végétarien", "sans viande"}

// Service holds the register's use cases. Each takes who (the staff member's e-mail) and now.
type Service struct {
	Store   Store
	Journal staff.Journal
	Prefix  string // the commune's subscriber-code prefix
}

// Choices are what the forms offer: sites and brackets of the activity settings.
type Choices struct {
	Sites    []Site
	Brackets []string
	Diets    []string
	Offers   []Offer // each activity at each site where it is organised
}

// Offer is an activity at a site, as the enrolment form offers it.
type Offer struct {
	Activity, Site, Label string
}

// Site is a place where children are, with its name.
type Site struct{ ID, Name string }

// Choices reads the sites and brackets configured.
func (s *Service) Choices(ctx context.Context) (Choices, error) {
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return Choices{}, fmt.Errorf("choices: %w", err)
	}
	c := Choices{Diets: Diets}
	for _, a := range acts {
		if !slices.ContainsFunc(c.Sites, func(x Site) bool { return x.ID == a.Site }) {
			c.Sites = append(c.Sites, Site{ID: a.Site, Name: a.SiteName})
		}
		c.Offers = append(c.Offers, Offer{Activity: string(a.Activity), Site: a.Site, Label: a.Activity.Label() + " — " + a.SiteName})
		for b := range a.PriceCents {
			if !slices.Contains(c.Brackets, b) {
				c.Brackets = append(c.Brackets, b)
			}
		}
	}
	slices.Sort(c.Brackets)
	slices.SortFunc(c.Sites, func(a, b Site) int { return strings.Compare(a.Name, b.Name) })
	return c, nil
}

func (s *Service) record(ctx context.Context, who string, now time.Time, action, target, before, after string) error {
	return staff.Recorder{Journal: s.Journal}.Record(ctx, who, now, action, target, before, after)
}

// FamilyInput is what the family form sends.
type FamilyInput struct {
	Name     string
	Bracket  string
	Resident bool
}

func (in *FamilyInput) check(c Choices, f *fault.Fields) {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		f.Add("name", "Saisissez le nom de la famille (100 caractères au plus).")
	}
	in.Bracket = strings.ToUpper(strings.TrimSpace(in.Bracket))
	if !slices.Contains(c.Brackets, in.Bracket) {
		f.Add("bracket", "Choisissez une tranche de quotient parmi "+strings.Join(c.Brackets, ", ")+".")
	}
}

func describe(f family.Family) string {
	r := "non résidente"
	if !f.NonResident {
		r = "résidente"
	}
	return fmt.Sprintf("%s, tranche %s, %s", f.Name, f.QuotientBracket, r)
}

func target(f family.Family) string { return f.Name + " (" + f.ID + ")" }

// Families lists every family by name, as a French reader sorts (accents and case aside).
func (s *Service) Families(ctx context.Context) ([]family.Family, error) {
	fams, err := s.Store.Families(ctx)
	if err != nil {
		return nil, fmt.Errorf("families: %w", err)
	}
	slices.SortStableFunc(fams, func(a, b family.Family) int { return strings.Compare(sortKey(a.Name), sortKey(b.Name)) })
	return fams, nil
}

var unaccent = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "ç", "c", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"î", "i", "ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ÿ", "y", "œ", "oe", "æ", "ae")

func sortKey(name string) string { return unaccent.Replace(strings.ToLower(name)) }

// Family reads a family and what is registered under it.
func (s *Service) Family(ctx context.Context, id string) (Record, error) {
	rec, err := s.Store.FamilyRecord(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return Record{}, ErrNoFamily
	}
	return rec, err
}

// newCode creates a fresh code for familyID (drawing again on the rare collision).
func (s *Service) newCode(ctx context.Context, familyID string) (string, error) {
	for range 5 {
		code := family.NewCode(s.Prefix)
		err := s.Store.CreateCode(ctx, family.SubscriberCode{Code: code, FamilyID: familyID})
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("new code: %w", err)
		}
		return code, nil
	}
	return "", errors.New("new code: five collisions in a row")
}

// CreateFamily registers a family and issues its subscriber code.
func (s *Service) CreateFamily(ctx context.Context, who string, in FamilyInput, now time.Time) (family.Family, error) {
	c, err := s.Choices(ctx)
	if err != nil {
		return family.Family{}, err
	}
	var f fault.Fields
	in.check(c, &f)
	if err := f.Err(); err != nil {
		return family.Family{}, err
	}
	fam := family.Family{ID: family.NewID("f_"), Name: in.Name, QuotientBracket: in.Bracket, NonResident: !in.Resident}
	if fam.SubscriberCode, err = s.newCode(ctx, fam.ID); err != nil {
		return family.Family{}, err
	}
	if err := s.Store.CreateFamily(ctx, fam); err != nil {
		return family.Family{}, fmt.Errorf("create family: %w", err)
	}
	return fam, s.record(ctx, who, now, "Famille créée", target(fam), "", describe(fam)+", code "+fam.SubscriberCode)
}

// UpdateFamily changes a family's name, bracket and resident status.
func (s *Service) UpdateFamily(ctx context.Context, who, id string, in FamilyInput, now time.Time) error {
	rec, err := s.Family(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.Choices(ctx)
	if err != nil {
		return err
	}
	var f fault.Fields
	in.check(c, &f)
	if err := f.Err(); err != nil {
		return err
	}
	next := rec.Family
	next.Name, next.QuotientBracket, next.NonResident = in.Name, in.Bracket, !in.Resident
	if next == rec.Family {
		return nil
	}
	if err := s.Store.UpdateFamily(ctx, next); err != nil {
		return fmt.Errorf("update family: %w", err)
	}
	return s.record(ctx, who, now, "Famille modifiée", target(next), describe(rec.Family), describe(next))
}

// CodeState says whether a family's code still links accounts.
func (s *Service) CodeState(ctx context.Context, f family.Family) (revoked bool, err error) {
	if f.SubscriberCode == "" {
		return true, nil
	}
	c, err := s.Store.Code(ctx, f.SubscriberCode)
	if errors.Is(err, ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return c.Revoked || c.FamilyID != f.ID, nil
}

// RevokeCode revokes the family's code: it links no account any more (accounts already
// linked stay; remove them apart).
func (s *Service) RevokeCode(ctx context.Context, who, id string, now time.Time) error {
	rec, err := s.Family(ctx, id)
	if err != nil {
		return err
	}
	if rec.Family.SubscriberCode == "" {
		return nil
	}
	if err := s.Store.RevokeCode(ctx, rec.Family.SubscriberCode); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("revoke code: %w", err)
	}
	return s.record(ctx, who, now, "Code abonné révoqué", target(rec.Family), rec.Family.SubscriberCode, rec.Family.SubscriberCode+" (révoqué)")
}

// ReissueCode revokes the family's code and issues a new one, which it returns.
func (s *Service) ReissueCode(ctx context.Context, who, id string, now time.Time) (string, error) {
	rec, err := s.Family(ctx, id)
	if err != nil {
		return "", err
	}
	old := rec.Family.SubscriberCode
	if old != "" {
		if err := s.Store.RevokeCode(ctx, old); err != nil && !errors.Is(err, ErrNotFound) {
			return "", fmt.Errorf("reissue code: %w", err)
		}
	}
	code, err := s.newCode(ctx, id)
	if err != nil {
		return "", err
	}
	if err := s.Store.SwitchCode(ctx, id, old, code); err != nil {
		if rerr := s.Store.RevokeCode(ctx, code); rerr != nil {
			return "", errors.Join(err, rerr)
		}
		if errors.Is(err, ErrStale) {
			return "", ErrRaced
		}
		return "", fmt.Errorf("reissue code: %w", err)
	}
	before := old + " (révoqué)"
	if old == "" {
		before = ""
	}
	return code, s.record(ctx, who, now, "Code abonné réémis", target(rec.Family), before, code)
}

// RemoveMember unlinks a parent account from the family.
func (s *Service) RemoveMember(ctx context.Context, who, id, email string, now time.Time) error {
	rec, err := s.Family(ctx, id)
	if err != nil {
		return err
	}
	if !slices.Contains(rec.Members, email) {
		return nil
	}
	if err := s.Store.RemoveMember(ctx, id, email); err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return s.record(ctx, who, now, "Parent retiré de la famille", target(rec.Family), "compte lié : "+email, "")
}

// ChildInput is what the child form sends.
type ChildInput struct {
	FirstName, LastName string
	BirthDate           string // yyyy-mm-dd or dd/mm/yyyy
	School, Class, Diet string
	PAI                 bool
}

func (in *ChildInput) check(c Choices, f *fault.Fields, prefix string) (date.Date, bool) {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	in.FirstName, in.LastName, in.Class = clean(in.FirstName), clean(in.LastName), clean(in.Class)
	if in.FirstName == "" || utf8.RuneCountInString(in.FirstName) > 60 {
		f.Add(prefix+"firstName", "Saisissez le prénom de l'enfant (60 caractères au plus).")
	}
	if in.LastName == "" || utf8.RuneCountInString(in.LastName) > 60 {
		f.Add(prefix+"lastName", "Saisissez le nom de l'enfant (60 caractères au plus).")
	}
	if utf8.RuneCountInString(in.Class) > 20 {
		f.Add(prefix+"class", "La classe tient en 20 caractères au plus.")
	}
	d, ok := parseDay(in.BirthDate)
	if !ok {
		f.Add(prefix+"birthDate", "Saisissez une date de naissance valide (jj/mm/aaaa).")
	}
	in.School = strings.TrimSpace(in.School)
	if !slices.ContainsFunc(c.Sites, func(s Site) bool { return s.ID == in.School }) {
		f.Add(prefix+"school", "Choisissez l'école parmi les sites de la commune.")
	}
	in.Diet = normaliseDiet(in.Diet)
	if !slices.Contains(Diets, in.Diet) {
		f.Add(prefix+"diet", "Choisissez un régime parmi : "+strings.Join(Diets, ", ")+".")
	}
	return d, ok
}

func describeChild(c family.Child) string {
	pai := "sans PAI"
	if c.PAI {
		pai = "PAI"
	}
	cls := ""
	if c.Class != "" {
		cls = " " + c.Class
	}
	return fmt.Sprintf("%s %s, né(e) le %s, %s%s, %s, %s", c.FirstName, c.LastName, frDay(c.BirthDate),
		c.School, cls, c.Diet, pai)
}

// SaveChild adds a child to the family (childID "") or changes one.
func (s *Service) SaveChild(ctx context.Context, who, familyID, childID string, in ChildInput, now time.Time) (family.Child, error) {
	rec, err := s.Family(ctx, familyID)
	if err != nil {
		return family.Child{}, err
	}
	var before family.Child
	if childID != "" {
		i := slices.IndexFunc(rec.Children, func(c family.Child) bool { return c.ID == childID })
		if i < 0 {
			return family.Child{}, ErrNoChild
		}
		before = rec.Children[i]
	}
	c, err := s.Choices(ctx)
	if err != nil {
		return family.Child{}, err
	}
	var f fault.Fields
	d, _ := in.check(c, &f, "")
	if err := f.Err(); err != nil {
		return family.Child{}, err
	}
	child := family.Child{ID: childID, FamilyID: familyID, FirstName: in.FirstName, LastName: in.LastName, BirthDate: d,
		School: in.School, Class: in.Class, Diet: in.Diet, PAI: in.PAI}
	if child.ID == "" {
		child.ID = family.NewID("c_")
	}
	if child == before {
		return child, nil
	}
	if err := s.Store.PutChild(ctx, child); err != nil {
		return family.Child{}, fmt.Errorf("save child: %w", err)
	}
	action, was := "Enfant modifié", describeChild(before)
	if childID == "" {
		action, was = "Enfant ajouté", ""
	}
	return child, s.record(ctx, who, now, action, target(rec.Family), was, describeChild(child))
}

// parseDay reads yyyy-mm-dd or dd/mm/yyyy.
func parseDay(s string) (date.Date, bool) {
	s = strings.TrimSpace(s)
	if d, err := date.Parse(s); err == nil {
		return d, true
	}
	if t, err := time.Parse("02/01/2006", s); err == nil {
		return date.New(t.Year(), t.Month(), t.Day()), true
	}
	if t, err := time.Parse("2/1/2006", s); err == nil {
		return date.New(t.Year(), t.Month(), t.Day()), true
	}
	return date.Date{}, false
}

// normaliseDiet maps what a form or a file says to one of Diets ("" is standard).
func normaliseDiet(s string) string {
	k := strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch strings.NewReplacer("é", "e", "è", "e", "-", " ").Replace(k) {
	case "", "standard", "normal", "aucun":
		return "standard"
	case "sans porc":
		return "sans porc"
	case "vegetarien", "vegetarienne":
		return "végétarien"
	case "sans viande":
		return "sans viande"
	}
	return k
}

func frDay(d date.Date) string {
	return fmt.Sprintf("%02d/%02d/%04d", d.Day(), int(d.Month()), d.Year())
}
