package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
)

type familyItem struct {
	PK, SK          string
	GSI1PK          string `dynamodbav:",omitempty"` // FAMILIES: the directory of families
	GSI1SK          string `dynamodbav:",omitempty"` // <lower-case name>#<familyId>
	Name            string `dynamodbav:"name"`
	SubscriberCode  string `dynamodbav:"subscriberCode"`
	QuotientBracket string `dynamodbav:"quotientBracket"`
	NonResident     bool   `dynamodbav:"nonResident,omitempty"`
}

type childItem struct {
	PK, SK    string
	ID        string `dynamodbav:"childId"`
	FirstName string `dynamodbav:"firstName"`
	LastName  string `dynamodbav:"lastName"`
	BirthDate string `dynamodbav:"birthDate"`
	School    string `dynamodbav:"school"`
	Class     string `dynamodbav:"class,omitempty"`
	Diet      string `dynamodbav:"diet"`
	PAI       bool   `dynamodbav:"pai,omitempty"`
}

type enrolmentItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	FamilyID       string `dynamodbav:"familyId"`
	ChildID        string `dynamodbav:"childId"`
	Activity       string `dynamodbav:"activity"`
	Site           string `dynamodbav:"site"`
	From           string `dynamodbav:"from"`
	Until          string `dynamodbav:"until,omitempty"`
}

type memberItem struct {
	PK, SK   string
	Email    string `dynamodbav:"email"`
	LinkedAt string `dynamodbav:"linkedAt"`
}

type codeItem struct {
	PK, SK   string
	FamilyID string `dynamodbav:"familyId"`
	Revoked  bool   `dynamodbav:"revoked"`
}

type activityItem struct {
	PK, SK      string
	Activity    string           `dynamodbav:"activity"`
	Site        string           `dynamodbav:"site"`
	SiteName    string           `dynamodbav:"siteName"`
	Capacity    int              `dynamodbav:"capacity"`
	PriceCents  map[string]int64 `dynamodbav:"priceCents"`
	NonResident int64            `dynamodbav:"nonResidentPriceCents,omitempty"`
	CutoffDays  *int             `dynamodbav:"cutoffDays,omitempty"`
	CutoffHour  *int             `dynamodbav:"cutoffHour,omitempty"`
}

type closureItem struct {
	PK, SK     string
	Day        string   `dynamodbav:"day"`
	Label      string   `dynamodbav:"label"`
	Activities []string `dynamodbav:"activities,omitempty"`
	Sites      []string `dynamodbav:"sites,omitempty"`
}

// PutFamily creates or replaces a family record.
func (s *Store) PutFamily(ctx context.Context, f family.Family) error {
	return s.put(ctx, s.tables.Data, familyItem{PK: familyPK(f.ID), SK: skFamily, Name: f.Name,
		GSI1PK: gsiFamilies, GSI1SK: familyDirectorySK(strings.ToLower(f.Name), f.ID),
		SubscriberCode: f.SubscriberCode, QuotientBracket: f.QuotientBracket, NonResident: f.NonResident})
}

// PutSubscriberCode creates or replaces an issued code.
func (s *Store) PutSubscriberCode(ctx context.Context, c family.SubscriberCode) error {
	return s.put(ctx, s.tables.Data, codeItem{PK: codePK(c.Code), SK: skCode, FamilyID: c.FamilyID, Revoked: c.Revoked})
}

// SubscriberCode looks up an issued code; ErrNotFound when it was never issued.
func (s *Store) SubscriberCode(ctx context.Context, code string) (family.SubscriberCode, error) {
	var it codeItem
	if err := s.get(ctx, s.tables.Data, codePK(code), skCode, &it); err != nil {
		return family.SubscriberCode{}, err
	}
	return family.SubscriberCode{Code: code, FamilyID: it.FamilyID, Revoked: it.Revoked}, nil
}

// PutChild creates or replaces a child of its family.
func (s *Store) PutChild(ctx context.Context, c family.Child) error {
	return s.put(ctx, s.tables.Data, childItem{PK: familyPK(c.FamilyID), SK: childSK(c.ID), ID: c.ID,
		FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate.String(), School: c.School, Class: c.Class,
		Diet: c.Diet, PAI: c.PAI})
}

// Child returns a child of family familyID; ErrNotFound when the family has no such child,
// which is also the answer for another family's child.
func (s *Store) Child(ctx context.Context, familyID, childID string) (family.Child, error) {
	var it childItem
	if err := s.get(ctx, s.tables.Data, familyPK(familyID), childSK(childID), &it); err != nil {
		return family.Child{}, err
	}
	return it.child(familyID)
}

func (it childItem) child(familyID string) (family.Child, error) {
	c := family.Child{ID: it.ID, FamilyID: familyID, FirstName: it.FirstName, LastName: it.LastName, School: it.School,
		Class: it.Class, Diet: it.Diet, PAI: it.PAI}
	if it.BirthDate != "" {
		d, err := date.Parse(it.BirthDate)
		if err != nil {
			return family.Child{}, fmt.Errorf("child %s: %w", it.ID, err)
		}
		c.BirthDate = d
	}
	return c, nil
}

// PutEnrolment creates or replaces a child's enrolment in an activity.
func (s *Store) PutEnrolment(ctx context.Context, familyID string, e family.Enrolment) error {
	it := enrolmentItem{PK: familyPK(familyID), SK: enrolmentSK(e.ChildID, e.Activity),
		GSI1PK: enrolmentGSI1PK(e.Activity), GSI1SK: enrolmentGSI1SK(e.Site, e.ChildID),
		FamilyID: familyID, ChildID: e.ChildID, Activity: string(e.Activity), Site: e.Site, From: e.From.String()}
	if !e.Until.IsZero() {
		it.Until = e.Until.String()
	}
	return s.put(ctx, s.tables.Data, it)
}

// Enrolment returns a child's enrolment in activity a; ErrNotFound when not enrolled (or not
// the family's child).
func (s *Store) Enrolment(ctx context.Context, familyID, childID string, a calendar.Activity) (family.Enrolment, error) {
	var it enrolmentItem
	if err := s.get(ctx, s.tables.Data, familyPK(familyID), enrolmentSK(childID, a), &it); err != nil {
		return family.Enrolment{}, err
	}
	return it.enrolment()
}

func (it enrolmentItem) enrolment() (family.Enrolment, error) {
	a, err := calendar.ParseActivity(it.Activity)
	if err != nil {
		return family.Enrolment{}, fmt.Errorf("enrolment %s: %w", it.SK, err)
	}
	e := family.Enrolment{ChildID: it.ChildID, Activity: a, Site: it.Site}
	if e.From, err = date.Parse(it.From); err != nil {
		return family.Enrolment{}, fmt.Errorf("enrolment %s: %w", it.SK, err)
	}
	if it.Until != "" {
		if e.Until, err = date.Parse(it.Until); err != nil {
			return family.Enrolment{}, fmt.Errorf("enrolment %s: %w", it.SK, err)
		}
	}
	return e, nil
}

// EnrolledIn lists every enrolment in activity a across families (reminders, headcounts),
// with the family id of each.
func (s *Store) EnrolledIn(ctx context.Context, a calendar.Activity) ([]FamilyEnrolment, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              &s.tables.Data,
		IndexName:              aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: enrolmentGSI1PK(a)},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("enrolled in %s: %w", a, err)
	}
	out := make([]FamilyEnrolment, 0, len(items))
	for _, av := range items {
		var it enrolmentItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode enrolment: %w", err)
		}
		e, err := it.enrolment()
		if err != nil {
			return nil, err
		}
		out = append(out, FamilyEnrolment{FamilyID: it.FamilyID, Enrolment: e})
	}
	return out, nil
}

// FamilyEnrolment is an enrolment with its family.
type FamilyEnrolment struct {
	FamilyID string
	family.Enrolment
}

// FamilyRecord is a family with everything registered under it.
type FamilyRecord struct {
	Family     family.Family
	Children   []family.Child
	Enrolments []family.Enrolment
	Members    []string // e-mails of the linked parent accounts
}

// Family reads a family and its children, enrolments and members: two Queries of its
// partition, run together, one of the sort keys before the members' feeds (CHILD#…, ENROL#…,
// FAMILY) and one of MEMBER#…, so that it never reads the invoices the partition also holds
// (INVOICE#…, between the two: a family keeps ten a year for ten years, and every booking,
// planning and reminder reads the family).
func (s *Store) Family(ctx context.Context, familyID string) (FamilyRecord, error) {
	pk := familyPK(familyID)
	queries := []*dynamodb.QueryInput{{
		TableName:                 &s.tables.Data,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND SK < :feeds"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(pk), ":feeds": avS(memberFeedSK(""))},
	}, {
		TableName:                 &s.tables.Data,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :members)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(pk), ":members": avS(memberSK(""))},
	}}
	items, err := s.queryAllAtOnce(ctx, queries)
	if err != nil {
		return FamilyRecord{}, fmt.Errorf("family %s: %w", familyID, err)
	}
	var rec FamilyRecord
	found := false
	for _, av := range items {
		sk := av["SK"].(*types.AttributeValueMemberS).Value
		switch {
		case sk == skFamily:
			var it familyItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return FamilyRecord{}, fmt.Errorf("decode family: %w", err)
			}
			rec.Family = family.Family{ID: familyID, Name: it.Name, SubscriberCode: it.SubscriberCode,
				QuotientBracket: it.QuotientBracket, NonResident: it.NonResident}
			found = true
		case strings.HasPrefix(sk, "CHILD#"):
			var it childItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return FamilyRecord{}, fmt.Errorf("decode child: %w", err)
			}
			c, err := it.child(familyID)
			if err != nil {
				return FamilyRecord{}, err
			}
			rec.Children = append(rec.Children, c)
		case strings.HasPrefix(sk, "ENROL#"):
			var it enrolmentItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return FamilyRecord{}, fmt.Errorf("decode enrolment: %w", err)
			}
			e, err := it.enrolment()
			if err != nil {
				return FamilyRecord{}, err
			}
			rec.Enrolments = append(rec.Enrolments, e)
		case strings.HasPrefix(sk, "MEMBER#"):
			rec.Members = append(rec.Members, strings.TrimPrefix(sk, "MEMBER#"))
		}
	}
	if !found {
		return FamilyRecord{}, ErrNotFound
	}
	return rec, nil
}

// FamilyEnrolments reads a family's enrolments and its members' e-mails (the data export).
func (s *Store) FamilyEnrolments(ctx context.Context, familyID string) ([]family.Enrolment, []string, error) {
	rec, err := s.Family(ctx, familyID)
	if err != nil {
		return nil, nil, err
	}
	return rec.Enrolments, rec.Members, nil
}

// AddMember records that the account email is linked to the family (idempotent).
func (s *Store) AddMember(ctx context.Context, familyID, email string, at time.Time) error {
	return s.put(ctx, s.tables.Data, memberItem{PK: familyPK(familyID), SK: memberSK(email), Email: email, LinkedAt: at.UTC().Format(time.RFC3339)})
}

// FamilyMembers lists the accounts linked to the family, oldest link first (one Query on the
// family's MEMBER# items).
func (s *Store) FamilyMembers(ctx context.Context, familyID string) ([]accounts.Member, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, familyPK(familyID), memberSK(""))
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	out := make([]accounts.Member, 0, len(items))
	for _, av := range items {
		var it memberItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode member: %w", err)
		}
		at, _ := time.Parse(time.RFC3339, it.LinkedAt)
		out = append(out, accounts.Member{Email: strings.TrimPrefix(it.SK, memberSK("")), LinkedAt: at})
	}
	slices.SortStableFunc(out, func(a, b accounts.Member) int { return a.LinkedAt.Compare(b.LinkedAt) })
	return out, nil
}

// familyEventItem is FAMILYEVENT#<familyId> / <time>#<random> in the data table: one change
// of the family's membership, kept for the town hall (who did what to whom, when).
type familyEventItem struct {
	PK, SK string
	At     string `dynamodbav:"at"`
	By     string `dynamodbav:"by"`
	Action string `dynamodbav:"action"`
	Member string `dynamodbav:"member"`
}

// RecordFamilyEvent keeps one membership change (a new item each time: never overwritten).
func (s *Store) RecordFamilyEvent(ctx context.Context, e accounts.FamilyEvent) error {
	var r [6]byte
	_, _ = rand.Read(r[:])
	at := e.At.UTC().Format(time.RFC3339Nano)
	it := familyEventItem{PK: familyEventPK(e.FamilyID), SK: familyEventSK(e.At, hex.EncodeToString(r[:])), At: at,
		By: e.By, Action: string(e.Action), Member: e.Member}
	if err := s.putIf(ctx, s.tables.Data, it, "attribute_not_exists(PK)"); err != nil {
		return fmt.Errorf("record family event: %w", err)
	}
	return nil
}

// FamilyEvents lists the family's membership changes, oldest first.
func (s *Store) FamilyEvents(ctx context.Context, familyID string) ([]accounts.FamilyEvent, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, familyEventPK(familyID), "")
	if err != nil {
		return nil, fmt.Errorf("family events: %w", err)
	}
	return decodeEach(items, "family event", func(it familyEventItem) (accounts.FamilyEvent, error) {
		at, _ := time.Parse(time.RFC3339Nano, it.At)
		return accounts.FamilyEvent{FamilyID: familyID, At: at, By: it.By, Action: accounts.FamilyEventKind(it.Action), Member: it.Member}, nil
	})
}

// RemoveMember forgets the link between the account email and the family (idempotent).
func (s *Store) RemoveMember(ctx context.Context, familyID, email string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.tables.Data, Key: key(familyPK(familyID), memberSK(email))})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// PutActivity creates or replaces an activity's settings at a site.
func (s *Store) PutActivity(ctx context.Context, a family.Activity) error {
	return s.put(ctx, s.tables.Data, activityItem{PK: activityPK(a.Activity), SK: siteSK(a.Site), Activity: string(a.Activity),
		Site: a.Site, SiteName: a.SiteName, Capacity: a.Capacity, PriceCents: a.PriceCents, NonResident: a.NonResidentPriceCents, CutoffDays: a.CutoffDays, CutoffHour: a.CutoffHour})
}

// Activity returns an activity's settings at a site; ErrNotFound when not configured.
func (s *Store) Activity(ctx context.Context, a calendar.Activity, site string) (family.Activity, error) {
	var it activityItem
	if err := s.get(ctx, s.tables.Data, activityPK(a), siteSK(site), &it); err != nil {
		return family.Activity{}, err
	}
	return family.Activity{Activity: a, Site: it.Site, SiteName: it.SiteName, Capacity: it.Capacity,
		PriceCents: it.PriceCents, NonResidentPriceCents: it.NonResident, CutoffDays: it.CutoffDays, CutoffHour: it.CutoffHour}, nil
}

// PutClosure records a day the commune closes (all activities when c.Activities is empty, at
// every site when c.Sites is).
func (s *Store) PutClosure(ctx context.Context, c calendar.Closure) error {
	it := closureItem{PK: pkCalendar, SK: closureSK(c.Day), Day: c.Day.String(), Label: c.Label, Sites: c.Sites}
	for _, a := range c.Activities {
		it.Activities = append(it.Activities, string(a))
	}
	return s.put(ctx, s.tables.Data, it)
}

// Closures returns every closure day the commune configured.
func (s *Store) Closures(ctx context.Context) ([]calendar.Closure, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, pkCalendar, "CLOSURE#")
	if err != nil {
		return nil, fmt.Errorf("closures: %w", err)
	}
	return decodeEach(items, "closure", func(it closureItem) (calendar.Closure, error) {
		d, err := date.Parse(it.Day)
		if err != nil {
			return calendar.Closure{}, fmt.Errorf("closure: %w", err)
		}
		c := calendar.Closure{Day: d, Label: it.Label, Sites: it.Sites}
		for _, s := range it.Activities {
			a, err := calendar.ParseActivity(s)
			if err != nil {
				return calendar.Closure{}, fmt.Errorf("closure %s: %w", it.Day, err)
			}
			c.Activities = append(c.Activities, a)
		}
		return c, nil
	})
}

// isNotFound reports whether err means the item is absent.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
