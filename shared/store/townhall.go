package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/townhall"
)

// The town hall's items (rules: shared/townhall).
//
//	notice       NOTICE#<yyyy-mm-dd> / <familyId>#<activity>   one closure e-mail, claimed then sent
//	school year  CALENDAR / SCHOOLYEAR#<yyyy>                   the holidays loaded for a school year
//	family log   FAMILYLOG#<familyId> / <time, ns>#<id>         a staff change on a family's day, with its reason

type periodAV struct {
	First string `dynamodbav:"first"`
	Last  string `dynamodbav:"last"`
	Name  string `dynamodbav:"name"`
}

type schoolYearItem struct {
	PK, SK   string
	Year     int        `dynamodbav:"year"`
	Periods  []periodAV `dynamodbav:"periods"`
	Source   string     `dynamodbav:"source"`
	By       string     `dynamodbav:"by"`
	At       string     `dynamodbav:"at"`
	Version  string     `dynamodbav:"version"`
	Previous string     `dynamodbav:"previous,omitempty"`
}

type familyLogItem struct {
	PK, SK   string
	ID       string `dynamodbav:"id"`
	At       string `dynamodbav:"at"`
	By       string `dynamodbav:"by"`
	Kind     string `dynamodbav:"kind"`
	ChildID  string `dynamodbav:"childId"`
	Activity string `dynamodbav:"activity"`
	Site     string `dynamodbav:"site"`
	Day      string `dynamodbav:"day"`
	Reason   string `dynamodbav:"reason"`
}

// DeleteClosure removes the closure of day d (idempotent). The bookings it cancelled stay
// cancelled.
func (s *Store) DeleteClosure(ctx context.Context, d date.Date) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(pkCalendar, closureSK(d))})
	if err != nil {
		return fmt.Errorf("delete closure: %w", err)
	}
	return nil
}

// AddUnbilled marks a day not to be billed unless it already is: false when the mark was
// there (one conditional PutItem, so a justified absence is recorded once).
func (s *Store) AddUnbilled(ctx context.Context, u billing.Unbilled) (bool, error) {
	added, err := s.putNew(ctx, s.tables.Data, unbilledItem{PK: unbilledPK(u.Day), SK: unbilledSK(u.Day, u.Activity, u.Site, u.ChildID),
		Day: u.Day.String(), Activity: string(u.Activity), Site: u.Site, ChildID: u.ChildID, Reason: u.Reason})
	if err != nil {
		return false, fmt.Errorf("unbilled day: %w", err)
	}
	return added, nil
}

// RemoveUnbilled deletes the unbilled mark of u if it still has u's reason (a closure
// reopened takes back the marks it made, not a justified absence recorded since).
func (s *Store) RemoveUnbilled(ctx context.Context, u billing.Unbilled) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 &s.tables.Data,
		Key:                       key(unbilledPK(u.Day), unbilledSK(u.Day, u.Activity, u.Site, u.ChildID)),
		ConditionExpression:       aws.String("#r = :reason"),
		ExpressionAttributeNames:  map[string]string{"#r": "reason"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":reason": avS(u.Reason)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("remove unbilled day: %w", err)
	}
	return nil
}

// ClaimClosureNotice takes n for its save with one conditional PutItem of its send marker
// (markers.go): the marker must be absent, or claimed (not sent) before staleBefore by a save
// that never finished.
func (s *Store) ClaimClosureNotice(ctx context.Context, n townhall.Notice, now, staleBefore time.Time) (bool, error) {
	ok, err := s.claimMarker(ctx, s.tables.Data, markerItem{PK: noticePK(n.Day), SK: noticeSK(n.FamilyID, n.Activity),
		Claim: n.Claim, ClaimedAt: now.UnixMilli()}, staleBefore)
	if err != nil {
		return false, fmt.Errorf("claim notice: %w", err)
	}
	return ok, nil
}

// ClosureNoticeSent records that n's e-mail went, if n's save still holds the claim.
func (s *Store) ClosureNoticeSent(ctx context.Context, n townhall.Notice, now time.Time) error {
	held, err := s.markerSent(ctx, s.tables.Data, noticePK(n.Day), noticeSK(n.FamilyID, n.Activity), n.Claim, now)
	if err != nil {
		return fmt.Errorf("notice sent: %w", err)
	}
	if !held {
		return townhall.ErrClaimLost
	}
	return nil
}

// ReleaseClosureNotice deletes n if n's save still holds it unsent (a failed send), so the next save
// sends it.
func (s *Store) ReleaseClosureNotice(ctx context.Context, n townhall.Notice) error {
	if err := s.releaseMarker(ctx, s.tables.Data, noticePK(n.Day), noticeSK(n.FamilyID, n.Activity), n.Claim); err != nil {
		return fmt.Errorf("release notice: %w", err)
	}
	return nil
}

// SchoolHolidays returns the periods of every school year the town hall loaded: one Query of
// CALENDAR / SCHOOLYEAR# (reservations.HolidayStore).
func (s *Store) SchoolHolidays(ctx context.Context) ([]calendar.Period, error) {
	years, err := s.SchoolYears(ctx)
	if err != nil {
		return nil, err
	}
	var out []calendar.Period
	for _, y := range years {
		out = append(out, y.Periods...)
	}
	return out, nil
}

// SchoolYears returns every school year the town hall loaded, in year order.
func (s *Store) SchoolYears(ctx context.Context) ([]townhall.SchoolYear, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, pkCalendar, "SCHOOLYEAR#")
	if err != nil {
		return nil, fmt.Errorf("school years: %w", err)
	}
	return decodeItems(items, decodeSchoolYear)
}

func decodeSchoolYear(av map[string]types.AttributeValue) (townhall.SchoolYear, error) {
	var it schoolYearItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return townhall.SchoolYear{}, fmt.Errorf("decode school year: %w", err)
	}
	at, _ := time.Parse(time.RFC3339Nano, it.At)
	y := townhall.SchoolYear{Year: it.Year, Source: it.Source, By: it.By, At: at, Version: it.Version, Previous: it.Previous}
	for _, p := range it.Periods {
		first, err := date.Parse(p.First)
		if err != nil {
			return townhall.SchoolYear{}, fmt.Errorf("school year %d: %w", it.Year, err)
		}
		last, err := date.Parse(p.Last)
		if err != nil {
			return townhall.SchoolYear{}, fmt.Errorf("school year %d: %w", it.Year, err)
		}
		y.Periods = append(y.Periods, calendar.Period{First: first, Last: last, Name: p.Name, Verified: true})
	}
	return y, nil
}

// PutSchoolYear stores y, replacing the year's stored version y.Previous only ("" : none
// stored): one conditional PutItem; townhall.ErrStaleYear when another write came first.
func (s *Store) PutSchoolYear(ctx context.Context, y townhall.SchoolYear) error {
	it := schoolYearItem{PK: pkCalendar, SK: schoolYearSK(y.Year), Year: y.Year, Source: y.Source, By: y.By,
		At: y.At.UTC().Format(time.RFC3339Nano), Version: y.Version, Previous: y.Previous}
	for _, p := range y.Periods {
		it.Periods = append(it.Periods, periodAV{First: p.First.String(), Last: p.Last.String(), Name: p.Name})
	}
	av, err := marshal(it)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: &s.tables.Data, Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	if y.Previous != "" {
		in.ConditionExpression = aws.String("#v = :previous")
		in.ExpressionAttributeNames = map[string]string{"#v": "version"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":previous": avS(y.Previous)}
	}
	_, err = s.db.PutItem(ctx, in)
	if isConditionFailed(err) {
		return townhall.ErrStaleYear
	}
	if err != nil {
		return fmt.Errorf("school year: %w", err)
	}
	return nil
}

// AddFamilyChange records a staff change on a family's day (one PutItem).
func (s *Store) AddFamilyChange(ctx context.Context, c townhall.FamilyChange) error {
	return s.put(ctx, s.tables.Data, familyLogItem{PK: familyLogPK(c.FamilyID), SK: familyLogSK(c.At, c.ID), ID: c.ID,
		At: c.At.UTC().Format(time.RFC3339Nano), By: c.By, Kind: string(c.Kind), ChildID: c.ChildID, Activity: string(c.Activity),
		Site: c.Site, Day: c.Day.String(), Reason: c.Reason})
}

// FamilyChanges lists the staff changes on a family's days, newest first: one Query.
func (s *Store) FamilyChanges(ctx context.Context, familyID string) ([]townhall.FamilyChange, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(familyLogPK(familyID))},
		ScanIndexForward:          aws.Bool(false),
	})
	if err != nil {
		return nil, fmt.Errorf("family changes: %w", err)
	}
	out := make([]townhall.FamilyChange, 0, len(items))
	for _, av := range items {
		var it familyLogItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode family change: %w", err)
		}
		at, _ := time.Parse(time.RFC3339Nano, it.At)
		d, err := date.Parse(it.Day)
		if err != nil {
			return nil, fmt.Errorf("family change: %w", err)
		}
		out = append(out, townhall.FamilyChange{FamilyID: familyID, ID: it.ID, At: at, By: it.By, Kind: townhall.ChangeKind(it.Kind),
			ChildID: it.ChildID, Activity: calendar.Activity(it.Activity), Site: it.Site, Day: d, Reason: it.Reason})
	}
	return out, nil
}

var _ townhall.Store = (*Store)(nil)
