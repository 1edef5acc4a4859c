package registry

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// EnrolmentInput is what the enrolment form sends: a child enrolled in an activity at a site
// from a day, until a day or open-ended ("").
type EnrolmentInput struct {
	ChildID, Activity, Site, From, Until string
}

// Enrol enrols a child in an activity at a site for a period (a school year, usually). A
// child has one enrolment per activity: enrolling again replaces it, which is how staff move
// a child to another site or change its period; the journal keeps the one before.
func (s *Service) Enrol(ctx context.Context, who, familyID string, in EnrolmentInput, now time.Time) error {
	rec, err := s.Family(ctx, familyID)
	if err != nil {
		return err
	}
	var f fault.Fields
	i := slices.IndexFunc(rec.Children, func(c family.Child) bool { return c.ID == in.ChildID })
	if i < 0 {
		f.Add("enrolChild", "Choisissez un enfant de la famille.")
	}
	a, aerr := calendar.ParseActivity(in.Activity)
	acts, err := s.Store.Activities(ctx)
	if err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	if aerr != nil {
		f.Add("enrolActivity", "Choisissez une activité.")
	} else if !slices.ContainsFunc(acts, func(x family.Activity) bool { return x.Activity == a && x.Site == in.Site }) {
		f.Add("enrolSite", "Cette activité n'a pas lieu sur ce site : choisissez un site où elle est organisée.")
	}
	from, ok := parseDay(in.From)
	if !ok {
		f.Add("enrolFrom", "Saisissez la date de début (jj/mm/aaaa).")
	}
	var until family.Enrolment
	if in.Until != "" {
		d, ok := parseDay(in.Until)
		switch {
		case !ok:
			f.Add("enrolUntil", "Saisissez une date de fin valide, ou laissez-la vide.")
		case ok && d.Before(from):
			f.Add("enrolUntil", "La date de fin précède la date de début.")
		}
		until.Until = d
	}
	if err := f.Err(); err != nil {
		return err
	}
	e := family.Enrolment{ChildID: in.ChildID, Activity: a, Site: in.Site, From: from, Until: until.Until}
	before := ""
	if j := slices.IndexFunc(rec.Enrolments, func(x family.Enrolment) bool { return x.ChildID == e.ChildID && x.Activity == a }); j >= 0 {
		if rec.Enrolments[j] == e {
			return nil
		}
		before = describeEnrolment(rec.Enrolments[j])
	}
	if err := s.Store.PutEnrolment(ctx, familyID, e); err != nil {
		return fmt.Errorf("enrol: %w", err)
	}
	c := rec.Children[i]
	return s.record(ctx, who, now, "Inscription enregistrée", target(rec.Family)+", "+c.FirstName+" "+c.LastName, before, describeEnrolment(e))
}

// EndEnrolment ends a child's enrolment in an activity on a day (the last day it may be booked).
func (s *Service) EndEnrolment(ctx context.Context, who, familyID, childID, activity, until string, now time.Time) error {
	rec, err := s.Family(ctx, familyID)
	if err != nil {
		return err
	}
	j := slices.IndexFunc(rec.Enrolments, func(x family.Enrolment) bool { return x.ChildID == childID && string(x.Activity) == activity })
	if j < 0 {
		return ErrNoEnrolment
	}
	e := rec.Enrolments[j]
	d, ok := parseDay(until)
	if !ok || d.Before(e.From) {
		var f fault.Fields
		f.Add("until", "Saisissez une date de fin valide, postérieure au début de l'inscription.")
		return f.Err()
	}
	next := e
	next.Until = d
	if next == e {
		return nil
	}
	if err := s.Store.PutEnrolment(ctx, familyID, next); err != nil {
		return fmt.Errorf("end enrolment: %w", err)
	}
	return s.record(ctx, who, now, "Inscription terminée", target(rec.Family), describeEnrolment(e), describeEnrolment(next))
}

// ErrNoEnrolment: the child is not enrolled in that activity.
var ErrNoEnrolment = fault.New(fault.NotFound, "enrolment-not-found", "Inscription introuvable",
	"Cet enfant n'est pas inscrit à cette activité.")

func describeEnrolment(e family.Enrolment) string {
	until := "sans fin"
	if !e.Until.IsZero() {
		until = "au " + frDay(e.Until)
	}
	return fmt.Sprintf("%s à %s, du %s %s", e.Activity.Label(), e.Site, frDay(e.From), until)
}
