// Package demo loads the demo commune of the local stack: Laigneville, its two schools and its
// leisure centre, four families with their subscriber codes, their children and enrolments,
// each activity's capacity and prices, and the Martin family's invoice of last month. `make run` loads it once into the local tables; the
// README lists the codes so that a newcomer can link an account to a family.
//
// Everything is fixed (identifiers and codes included) so that documentation, manual checks and
// browser tests can name them. None of it is real personal data.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/store"
)

// Sites of the demo commune.
const (
	JulesFerry    = "jules-ferry"
	LouiseMichel  = "louise-michel"
	LeisureCentre = "centre-loisirs"
)

var siteNames = map[string]string{
	JulesFerry:    "École Jules Ferry",
	LouiseMichel:  "École Louise Michel",
	LeisureCentre: "Accueil de loisirs Les Tilleuls",
}

// Child is a demo child and the activities it is enrolled in.
type Child struct {
	family.Child
	Activities []calendar.Activity
}

// Family is a demo family with its subscriber code and children.
type Family struct {
	family.Family
	Children []Child
}

// Families are the demo families (subscriber codes as the town hall would hand them out).
var Families = []Family{
	{
		Family: family.Family{ID: "f_e9s741y99c", Name: "Famille Martin", SubscriberCode: "BLENFANCE-12087-7KQ4-M2XD", QuotientBracket: "B"},
		Children: []Child{
			{Child: family.Child{ID: "c_7n0tw88k57", FirstName: "Léa", LastName: "Martin", BirthDate: date.New(2017, time.March, 14), School: JulesFerry, Diet: "standard"},
				Activities: []calendar.Activity{calendar.Canteen, calendar.EveningCare, calendar.WednesdayCentre}},
			{Child: family.Child{ID: "c_ggjvhjp7m2", FirstName: "Hugo", LastName: "Martin", BirthDate: date.New(2019, time.September, 2), School: JulesFerry, Diet: "standard"},
				Activities: []calendar.Activity{calendar.Canteen, calendar.MorningCare, calendar.EveningCare}},
		},
	},
	{
		Family: family.Family{ID: "f_snqdm31rkp", Name: "Famille Benali", SubscriberCode: "BLENFANCE-12087-R8VN-3HTE", QuotientBracket: "C"},
		Children: []Child{
			{Child: family.Child{ID: "c_7x0emnzz0k", FirstName: "Yanis", LastName: "Benali", BirthDate: date.New(2016, time.November, 23), School: LouiseMichel, Diet: "sans porc"},
				Activities: []calendar.Activity{calendar.Canteen, calendar.WednesdayCentre, calendar.HolidayCentre}},
		},
	},
	{
		Family: family.Family{ID: "f_jb5cawngde", Name: "Famille Dubois", SubscriberCode: "BLENFANCE-12087-9PWG-CX5A", QuotientBracket: "A"},
		Children: []Child{
			{Child: family.Child{ID: "c_vqqnywhcas", FirstName: "Chloé", LastName: "Dubois", BirthDate: date.New(2018, time.May, 7), School: LouiseMichel, Diet: "végétarien"},
				Activities: []calendar.Activity{calendar.Canteen, calendar.MorningCare}},
			{Child: family.Child{ID: "c_hk6w3vc5h8", FirstName: "Jules", LastName: "Dubois", BirthDate: date.New(2020, time.January, 30), School: LouiseMichel, Diet: "végétarien"},
				Activities: []calendar.Activity{calendar.Canteen}},
			{Child: family.Child{ID: "c_tvpw38a0xr", FirstName: "Inès", LastName: "Dubois", BirthDate: date.New(2016, time.June, 19), School: LouiseMichel, Diet: "végétarien"},
				Activities: []calendar.Activity{calendar.Canteen, calendar.HolidayCentre}},
		},
	},
	{
		Family: family.Family{ID: "f_jv1fwv4j7b", Name: "Famille Lefèvre", SubscriberCode: "BLENFANCE-12087-F3JB-6NZQ", QuotientBracket: "D"},
		Children: []Child{
			{Child: family.Child{ID: "c_d9npjtfsgm", FirstName: "Emma", LastName: "Lefèvre", BirthDate: date.New(2017, time.December, 1), School: JulesFerry, Diet: "standard"},
				Activities: calendar.Activities()},
		},
	},
}

// Activities are the activity settings: canteen and before/after-school care at each school,
// Wednesday and holiday centres at the leisure centre. Prices are per day, in cents, by quotient
// bracket (A lowest income … D highest).
var Activities = func() []family.Activity {
	type setting struct {
		capacity int
		prices   [4]int64
	}
	settings := map[calendar.Activity]setting{
		calendar.Canteen:         {120, [4]int64{120, 250, 380, 450}},
		calendar.MorningCare:     {40, [4]int64{90, 150, 200, 250}},
		calendar.EveningCare:     {50, [4]int64{110, 180, 240, 300}},
		calendar.WednesdayCentre: {24, [4]int64{400, 700, 1000, 1300}},
		calendar.HolidayCentre:   {36, [4]int64{500, 850, 1200, 1500}},
	}
	var out []family.Activity
	for _, a := range calendar.Activities() {
		s := settings[a]
		prices := map[string]int64{"A": s.prices[0], "B": s.prices[1], "C": s.prices[2], "D": s.prices[3]}
		for _, site := range []string{JulesFerry, LouiseMichel, LeisureCentre} {
			if (site == LeisureCentre) != (a == calendar.WednesdayCentre || a == calendar.HolidayCentre) {
				continue
			}
			out = append(out, family.Activity{Activity: a, Site: site, SiteName: siteNames[site], Capacity: s.capacity, PriceCents: prices})
		}
	}
	return out
}()

// SiteOf returns where a child attends an activity: its school, or the leisure centre.
func SiteOf(c family.Child, a calendar.Activity) string {
	if a == calendar.WednesdayCentre || a == calendar.HolidayCentre {
		return LeisureCentre
	}
	return c.School
}

// SchoolYearStart returns 1 September of the school year that contains the Paris day of now.
func SchoolYearStart(now time.Time) date.Date {
	d := date.Of(now)
	y := d.Year()
	if d.Month() < time.September {
		y--
	}
	return date.New(y, time.September, 1)
}

// Loaded reports whether the demo is already in the store (its last written item is there).
func Loaded(ctx context.Context, s *store.Store) (bool, error) {
	last := Families[len(Families)-1].SubscriberCode
	_, err := s.SubscriberCode(ctx, last)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("demo: %w", err)
	}
}

// Load writes the demo commune unless it is already there, so that a restart keeps what was
// changed since. Enrolments run from the start of the school year of now, open-ended.
func Load(ctx context.Context, s *store.Store, now time.Time) error {
	if ok, err := Loaded(ctx, s); err != nil {
		return err
	} else if ok {
		return LoadStaff(ctx, s, now) // a commune loaded before the back-office existed gets its staff
	}
	for _, a := range Activities {
		if err := s.PutActivity(ctx, a); err != nil {
			return fmt.Errorf("demo: activity %s at %s: %w", a.Activity, a.Site, err)
		}
	}
	from := SchoolYearStart(now)
	for _, f := range Families {
		if err := s.PutFamily(ctx, f.Family); err != nil {
			return fmt.Errorf("demo: %s: %w", f.Name, err)
		}
		for _, c := range f.Children {
			c.FamilyID = f.ID
			if err := s.PutChild(ctx, c.Child); err != nil {
				return fmt.Errorf("demo: child of %s: %w", f.Name, err)
			}
			for _, a := range c.Activities {
				e := family.Enrolment{ChildID: c.ID, Activity: a, Site: SiteOf(c.Child, a), From: from}
				if err := s.PutEnrolment(ctx, f.ID, e); err != nil {
					return fmt.Errorf("demo: enrolment of a child of %s: %w", f.Name, err)
				}
			}
		}
	}
	if err := LoadInvoice(ctx, s, now); err != nil {
		return err
	}
	// Codes last: Loaded looks for the last one, so an interrupted load is redone.
	for _, f := range Families {
		if err := s.PutSubscriberCode(ctx, family.SubscriberCode{Code: f.SubscriberCode, FamilyID: f.ID}); err != nil {
			return fmt.Errorf("demo: code of %s: %w", f.Name, err)
		}
	}
	if err := LoadAccounts(ctx, s, now); err != nil {
		return err
	}
	return LoadStaff(ctx, s, now)
}
