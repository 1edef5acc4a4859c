package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reminders"
	"github.com/preau/preau/shared/reservations"
)

// reminderPrefsItem is ACCOUNT#<email> / REMINDERS: a parent's reminder choices, next to the
// account so that one Query reads both. GSI1 holds it only while the weekly summary is on.
type reminderPrefsItem struct {
	PK, SK        string
	GSI1PK        string   `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK        string   `dynamodbav:"GSI1SK,omitempty"`
	Enabled       bool     `dynamodbav:"enabled"`
	Activities    []string `dynamodbav:"activities"`
	Weekdays      []int    `dynamodbav:"weekdays"` // time.Weekday: 1 Monday … 5 Friday
	WeeklySummary bool     `dynamodbav:"weeklySummary"`
}

// EnrolmentsIn lists every enrolment in activity a across families, from GSI1
// (reminders.Enrolments).
func (s *Store) EnrolmentsIn(ctx context.Context, a calendar.Activity) ([]reminders.Enrolled, error) {
	ens, err := s.EnrolledIn(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]reminders.Enrolled, len(ens))
	for i, e := range ens {
		out[i] = reminders.Enrolled{FamilyID: e.FamilyID, Enrolment: e.Enrolment}
	}
	return out, nil
}

// ReminderDays returns the stored days of activity a at site in month's month with every
// child's bookings, as DaysOfMonth, but read eventually consistent: half the read units of a
// month that every reminder run reads again (reminders.Days says why a change of the last
// second may be missed). One Query of the month's partition (paged).
func (s *Store) ReminderDays(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(dayPK(a, site, month))},
	})
	if err != nil {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), err)
	}
	return foldDays(a, site, items, nil)
}

// ReminderHousehold reads a family with its children, enrolments and members in one Query
// (reminders.Households).
func (s *Store) ReminderHousehold(ctx context.Context, familyID string) (reminders.Household, error) {
	rec, err := s.Family(ctx, familyID)
	if isNotFound(err) {
		return reminders.Household{}, reminders.ErrNoHousehold
	}
	if err != nil {
		return reminders.Household{}, err
	}
	return reminders.Household{Family: rec.Family, Children: rec.Children, Enrolments: rec.Enrolments, Members: rec.Members}, nil
}

// ReminderParent reads an account and its reminder preferences in one Query of the account's
// partition; reminders.ErrNoParent when there is no account (reminders.Parents).
func (s *Store) ReminderParent(ctx context.Context, email string) (reminders.Parent, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, accountPK(email), "")
	if err != nil {
		return reminders.Parent{}, fmt.Errorf("reminder parent: %w", err)
	}
	p := reminders.Parent{Email: email, Preferences: reminders.DefaultPreferences()}
	found := false
	for _, av := range items {
		switch av["SK"].(*types.AttributeValueMemberS).Value {
		case skAccount:
			var it accountItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return reminders.Parent{}, fmt.Errorf("decode account: %w", err)
			}
			a := it.account()
			p.Greeting, p.FamilyID, p.Confirmed, found = a.DisplayName(), a.FamilyID, a.Confirmed(), true
		case skReminderPrefs:
			var it reminderPrefsItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return reminders.Parent{}, fmt.Errorf("decode reminder preferences: %w", err)
			}
			prefs, err := it.preferences()
			if err != nil {
				return reminders.Parent{}, err
			}
			p.Preferences = prefs
		}
	}
	if !found {
		return reminders.Parent{}, reminders.ErrNoParent
	}
	return p, nil
}

func (it reminderPrefsItem) preferences() (reminders.Preferences, error) {
	p := reminders.Preferences{Enabled: it.Enabled, WeeklySummary: it.WeeklySummary}
	for _, a := range it.Activities {
		act, err := calendar.ParseActivity(a)
		if err != nil {
			return reminders.Preferences{}, fmt.Errorf("reminder preferences: %w", err)
		}
		p.Activities = append(p.Activities, act)
	}
	for _, w := range it.Weekdays {
		p.Weekdays = append(p.Weekdays, time.Weekday(w))
	}
	return p.Normalise()
}

// SetReminderPreferences stores a parent's reminder choices (reminders.PreferenceStore).
func (s *Store) SetReminderPreferences(ctx context.Context, email string, p reminders.Preferences) error {
	it := reminderPrefsItem{PK: accountPK(email), SK: skReminderPrefs, Enabled: p.Enabled, WeeklySummary: p.WeeklySummary,
		Activities: []string{}, Weekdays: []int{}}
	for _, a := range p.Activities {
		it.Activities = append(it.Activities, string(a))
	}
	for _, w := range p.Weekdays {
		it.Weekdays = append(it.Weekdays, int(w))
	}
	if p.WeeklySummary {
		it.GSI1PK, it.GSI1SK = gsi1WeeklySummary, email
	}
	if err := s.put(ctx, s.tables.Data, it); err != nil {
		return fmt.Errorf("reminder preferences: %w", err)
	}
	return nil
}

// deleteReminderPreferences forgets an account's reminder choices (with the account).
func (s *Store) deleteReminderPreferences(ctx context.Context, email string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(accountPK(email), skReminderPrefs)})
	if err != nil {
		return fmt.Errorf("delete reminder preferences: %w", err)
	}
	return nil
}

// SummarySubscribers lists the parents whose preferences ask for the weekly summary: one Query
// of GSI1 (GSI1PK=REMINDERS#SUMMARY), never a scan (reminders.PreferenceStore).
func (s *Store) SummarySubscribers(ctx context.Context) ([]string, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(gsi1WeeklySummary)},
		ProjectionExpression:      aws.String("GSI1SK"),
	})
	if err != nil {
		return nil, fmt.Errorf("summary subscribers: %w", err)
	}
	out := make([]string, 0, len(items))
	for _, av := range items {
		if v, ok := av["GSI1SK"].(*types.AttributeValueMemberS); ok {
			out = append(out, v.Value)
		}
	}
	return out, nil
}

// A reminder marker (REMINDER#<email> / DEADLINE#<instant> or WEEK#<monday>, a send marker in
// the session table: markers.go) stands for one e-mail to one parent for one deadline (or one
// week's summary). It expires by TTL well after the deadline.

// ClaimMarker takes m for its run with one conditional PutItem: the marker must be absent, or
// claimed (not sent) before staleBefore by a run that never finished (reminders.Markers).
func (s *Store) ClaimMarker(ctx context.Context, m reminders.Marker, now, staleBefore time.Time) (bool, error) {
	ok, err := s.claimMarker(ctx, s.tables.Session, markerItem{PK: reminderPK(m.Email), SK: m.Key, Claim: m.Claim,
		ClaimedAt: now.UnixMilli(), ExpiresAt: m.Expires.Unix()}, staleBefore)
	if err != nil {
		return false, fmt.Errorf("claim reminder: %w", err)
	}
	return ok, nil
}

// MarkSent records that m's e-mail went, if m's run still holds the claim; reminders.ErrClaimLost
// otherwise.
func (s *Store) MarkSent(ctx context.Context, m reminders.Marker, now time.Time) error {
	held, err := s.markerSent(ctx, s.tables.Session, reminderPK(m.Email), m.Key, m.Claim, now)
	if err != nil {
		return fmt.Errorf("mark reminder sent: %w", err)
	}
	if !held {
		return reminders.ErrClaimLost
	}
	return nil
}

// ReleaseMarker deletes m if m's run still holds it unsent (a failed send), so the next run
// tries again; a marker taken over or sent meanwhile is left alone.
func (s *Store) ReleaseMarker(ctx context.Context, m reminders.Marker) error {
	if err := s.releaseMarker(ctx, s.tables.Session, reminderPK(m.Email), m.Key, m.Claim); err != nil {
		return fmt.Errorf("release reminder: %w", err)
	}
	return nil
}

var (
	_ reminders.Repository      = (*Store)(nil)
	_ reminders.PreferenceStore = (*Store)(nil)
)
