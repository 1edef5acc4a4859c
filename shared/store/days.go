package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// The reservation day item: one per activity × site × day.
//
//	PK       DAY#<activity>#<site>#<yyyy-mm>
//	SK       <yyyy-mm-dd>
//	bookings map child id → {at, by, channel}
//	booked   number of entries of bookings
//	history  map child id → list of {t, w, a, c}: the child's changes that day (epoch
//	         milliseconds, who, action, channel), appended by the write that changes bookings,
//	         at most reservations.MaxChangesPerDay+1 per child (bookings are capped,
//	         cancellations are not: see CancelDay)
//
// Every change is ONE UpdateItem whose condition is about the child's own entries (its booking
// and, for a booking, the length of its history and the count against the capacity), so the last seat
// goes to exactly one child, the count never drifts from the map, the history never drifts from
// either, and no child's changes can grow the item without bound (see doc.go for the size).
type dayItem struct {
	PK, SK   string
	Activity string               `dynamodbav:"activity"`
	Site     string               `dynamodbav:"site"`
	Day      string               `dynamodbav:"day"`
	Bookings map[string]bookingAV `dynamodbav:"bookings"`
	Booked   int                  `dynamodbav:"booked"`
	History  map[string][]entryAV `dynamodbav:"history"`
}

type bookingAV struct {
	At      string `dynamodbav:"at"`
	By      string `dynamodbav:"by"`
	Channel string `dynamodbav:"channel"`
}

// entryAV is one change of a child's history, kept compact because the item holds up to
// MaxChangesPerDay+1 of them for every child: one-letter names and a number for the time.
type entryAV struct {
	At      int64  `dynamodbav:"t"` // Unix milliseconds
	Who     string `dynamodbav:"w"`
	Action  string `dynamodbav:"a"`
	Channel string `dynamodbav:"c"`
}

// maxDayAttempts bounds the retries of a change whose condition failed for a reason that
// vanished by the time it was read (a seat freed, a cancellation crossing the booking), or
// whose item had to be created or completed first.
const maxDayAttempts = 5

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

func entryValue(c reservations.Change) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"t": &types.AttributeValueMemberN{Value: fmt.Sprint(c.At.UnixMilli())},
		"w": avS(c.Who), "a": avS(string(c.Action)), "c": avS(string(c.Channel)),
	}}
}

func bookingValue(c reservations.Change) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"at": avS(c.At.UTC().Format(time.RFC3339Nano)), "by": avS(c.Who), "channel": avS(string(c.Channel)),
	}}
}

// underCap is the condition that the child (#c) has fewer than :max changes that day.
const underCap = "(attribute_not_exists(#h.#c) OR size(#h.#c) < :max)"

// BookDay gives childID a seat on slot sl, recording c in the same write. capacity 0 means no
// limit. The common path is one UpdateItem; the item (with its empty maps) is created only when
// the first write finds it missing. TooManyChanges when the child's history of the day is full.
func (s *Store) BookDay(ctx context.Context, sl reservations.Slot, childID string, capacity int, c reservations.Change) (reservations.Outcome, error) {
	in := &dynamodb.UpdateItemInput{
		TableName: &s.tables.Data,
		Key:       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression: aws.String("SET #b.#c = :b, #h.#c = list_append(if_not_exists(#h.#c, :none), :entry) " +
			"ADD #n :one"),
		ConditionExpression:      aws.String("attribute_exists(#b) AND attribute_not_exists(#b.#c) AND " + underCap),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#c": childID, "#h": "history", "#n": "booked"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":b":     bookingValue(c),
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entry": &types.AttributeValueMemberL{Value: []types.AttributeValue{entryValue(c)}},
			":one":   avN(1),
			":max":   avN(reservations.MaxChangesPerDay),
		},
	}
	if capacity > 0 {
		in.ConditionExpression = aws.String(*in.ConditionExpression + " AND #n < :cap")
		in.ExpressionAttributeValues[":cap"] = avN(capacity)
	}
	return s.changeDay(ctx, sl, "book", in, func(day storedDay, found bool) (reservations.Outcome, bool, error) {
		switch {
		case !found:
			// A day's first booking creates its item with the booking in it: one more write.
			ok, err := s.createDayWith(ctx, sl, []reservations.Change{c})
			return reservations.Applied, ok, err
		case hasBooking(day, childID):
			return reservations.Unchanged, true, nil
		case day.Changes[childID] >= reservations.MaxChangesPerDay:
			return reservations.TooManyChanges, true, nil
		case capacity > 0 && day.Booked >= capacity:
			return reservations.Full, true, nil
		}
		return 0, false, nil
	})
}

func hasBooking(d storedDay, childID string) bool {
	_, ok := d.Bookings[childID]
	return ok
}

// createDay makes the day item with empty maps and a zero count if it does not exist yet, and
// adds the maps an older item lacks: DynamoDB refuses to set an entry of a map that is missing.
// It is idempotent and races safely.
func (s *Store) createDay(ctx context.Context, sl reservations.Slot) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.tables.Data,
		Key:       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression: aws.String("SET #b = if_not_exists(#b, :empty), #n = if_not_exists(#n, :zero), " +
			"#h = if_not_exists(#h, :empty), #a = :a, #s = :s, #d = :d"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#n": "booked", "#h": "history",
			"#a": "activity", "#s": "site", "#d": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
			":zero":  avN(0),
			":a":     avS(string(sl.Activity)), ":s": avS(sl.Site), ":d": avS(sl.Day.String()),
		},
	})
	if err != nil {
		return fmt.Errorf("create day %s: %w", sl.Day, err)
	}
	return nil
}

// BookNewDay creates the item of a day believed not stored yet (a long-period request read its
// month) holding the bookings of every change in cs, in one write. It returns false, changing
// nothing, when the item exists after all or cs exceeds the capacity: the caller then books each
// child with BookDay.
func (s *Store) BookNewDay(ctx context.Context, sl reservations.Slot, capacity int, cs []reservations.Change) (bool, error) {
	if len(cs) == 0 || (capacity > 0 && len(cs) > capacity) {
		return false, nil
	}
	return s.createDayWith(ctx, sl, cs)
}

// createDayWith creates a missing day item holding the bookings of cs (one per child); false
// when the item appeared meanwhile.
func (s *Store) createDayWith(ctx context.Context, sl reservations.Slot, cs []reservations.Change) (bool, error) {
	bookings := map[string]types.AttributeValue{}
	history := map[string]types.AttributeValue{}
	for _, c := range cs {
		if _, dup := bookings[c.ChildID]; dup {
			return false, fmt.Errorf("create day %s: a child booked twice in one write", sl.Day)
		}
		bookings[c.ChildID] = bookingValue(c)
		history[c.ChildID] = &types.AttributeValueMemberL{Value: []types.AttributeValue{entryValue(c)}}
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.tables.Data,
		Key:                 key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:    aws.String("SET #b = :m, #n = :count, #h = :history, #a = :a, #s = :s, #d = :d"),
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#n": "booked", "#h": "history",
			"#a": "activity", "#s": "site", "#d": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":m":       &types.AttributeValueMemberM{Value: bookings},
			":count":   avN(len(bookings)),
			":history": &types.AttributeValueMemberM{Value: history},
			":a":       avS(string(sl.Activity)), ":s": avS(sl.Site), ":d": avS(sl.Day.String()),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("create day %s: %w", sl.Day, err)
	}
	return true, nil
}

// CancelDay removes childID's seat on slot sl, recording c in the same write; Unchanged when
// the child had no seat (then nothing is recorded). A cancellation is never refused for the
// child's number of changes, so a child is never trapped holding a seat; it needs a seat, and
// only bookings are capped, so a child's history holds at most MaxChangesPerDay+1 entries (a
// booking needs fewer than MaxChangesPerDay, and no two cancellations follow each other). One
// UpdateItem, and a read only when its condition failed.
func (s *Store) CancelDay(ctx context.Context, sl reservations.Slot, childID string, c reservations.Change) (reservations.Outcome, error) {
	in := &dynamodb.UpdateItemInput{
		TableName: &s.tables.Data,
		Key:       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression: aws.String("REMOVE #b.#c SET #h.#c = list_append(if_not_exists(#h.#c, :none), :entry) " +
			"ADD #n :minus"),
		ConditionExpression:      aws.String("attribute_exists(#b.#c)"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#c": childID, "#h": "history", "#n": "booked"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entry": &types.AttributeValueMemberL{Value: []types.AttributeValue{entryValue(c)}},
			":minus": avN(-1),
		},
	}
	return s.changeDay(ctx, sl, "cancel", in, func(day storedDay, found bool) (reservations.Outcome, bool, error) {
		if !found || !hasBooking(day, childID) {
			return reservations.Unchanged, true, nil
		}
		return 0, false, nil
	})
}

// changeDay runs the conditional update in of a booking or cancellation (op) on sl. When its
// condition fails, a consistent read of the day goes to decide, which answers the outcome (done)
// or leaves it to a retry; between retries the maps an older item lacks are added, at most once.
// A ValidationException is DynamoDB's answer both to a nested write into a missing map and to a
// malformed request: repairOrFail tells them apart.
func (s *Store) changeDay(ctx context.Context, sl reservations.Slot, op string, in *dynamodb.UpdateItemInput,
	decide func(day storedDay, found bool) (out reservations.Outcome, done bool, err error)) (reservations.Outcome, error) {
	repaired := false
	for range maxDayAttempts {
		_, err := s.db.UpdateItem(ctx, in)
		if err == nil {
			return reservations.Applied, nil
		}
		if isValidation(err) {
			if err := s.repairOrFail(ctx, sl, &repaired, fmt.Errorf("%s %s: %w", op, sl.Day, err)); err != nil {
				return 0, err
			}
			continue
		}
		if !isConditionFailed(err) {
			return 0, fmt.Errorf("%s %s: %w", op, sl.Day, err)
		}
		day, found, err := s.day(ctx, sl)
		if err != nil {
			return 0, err
		}
		out, done, err := decide(day, found)
		if err != nil {
			return 0, err
		}
		if done {
			return out, nil
		}
		if needsMaps(day, found, repaired) {
			if err := s.createDay(ctx, sl); err != nil {
				return 0, err
			}
			repaired = true
		}
	}
	return 0, fmt.Errorf("%s %s: condition kept failing after %d attempts", op, sl.Day, maxDayAttempts)
}

// repairOrFail answers a ValidationException of a change on sl. DynamoDB gives it both for a
// nested write into a missing map (an item written before bookings or history existed) and for
// a malformed request, so a consistent read decides: the maps are added (createDay) at most once
// per operation, and only when the stored item lacks one; otherwise failed is returned as is.
func (s *Store) repairOrFail(ctx context.Context, sl reservations.Slot, repaired *bool, failed error) error {
	day, found, err := s.day(ctx, sl)
	if err != nil {
		return errors.Join(failed, err)
	}
	if !needsMaps(day, found, *repaired) {
		return failed
	}
	if err := s.createDay(ctx, sl); err != nil {
		return err
	}
	*repaired = true
	return nil
}

// needsMaps reports whether a change should add the maps the stored day lacks: only a stored
// item lacking bookings or history, and only once per operation (a second need means the maps
// were not the problem).
func needsMaps(d storedDay, found, repaired bool) bool {
	return found && !d.complete && !repaired
}

// storedDay is a day as read, with whether its item has every map a nested write needs.
type storedDay struct {
	reservations.Day
	complete bool
}

// day reads one day item (strongly consistent).
func (s *Store) day(ctx context.Context, sl reservations.Slot) (storedDay, bool, error) {
	var it dayItem
	err := s.get(ctx, s.tables.Data, dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day), &it)
	if isNotFound(err) {
		return storedDay{Day: reservations.Day{Slot: sl}}, false, nil
	}
	if err != nil {
		return storedDay{}, false, err
	}
	d, err := it.day()
	return storedDay{Day: d, complete: it.Bookings != nil && it.History != nil}, true, err
}

// Day returns the stored state of a slot (an empty day when nothing was ever booked).
func (s *Store) Day(ctx context.Context, sl reservations.Slot) (reservations.Day, error) {
	d, _, err := s.day(ctx, sl)
	return d.Day, err
}

// maxProjectedChildren bounds the children whose entries a month's read projects; beyond it,
// reading whole items is simpler than a long expression (no family has that many children).
const maxProjectedChildren = 50

// ErrNoChildren refuses a family's month read without children: reading whole days instead
// would hand a family every other family's bookings and history.
var ErrNoChildren = errors.New("store: a family's month read needs its children")

// DaysOfMonth returns the stored days of activity a at site in month's month, whole: every
// child's bookings and history, of every family. It is for the town hall's headcounts and
// billing; a family's pages read FamilyDaysOfMonth. One Query.
func (s *Store) DaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	return s.daysOfMonth(ctx, a, site, month, nil)
}

// FamilyDaysOfMonth returns the stored days of activity a at site in month's month holding only
// the bookings and history of children (and the count of all bookings): a family's planning
// reads nothing of other families' entries. An empty children list is refused with
// ErrNoChildren rather than read as "everyone". One Query.
func (s *Store) FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error) {
	if len(children) == 0 {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), ErrNoChildren)
	}
	return s.daysOfMonth(ctx, a, site, month, children)
}

// daysOfMonth reads whole days when children is nil, else only their entries.
func (s *Store) daysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error) {
	q := &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(dayPK(a, site, month))},
	}
	if len(children) > 0 && len(children) <= maxProjectedChildren {
		names := map[string]string{"#sk": "SK", "#n": "booked", "#b": "bookings", "#h": "history"}
		paths := []string{"#sk", "#n"}
		for i, c := range children {
			ph := fmt.Sprintf("#c%d", i)
			names[ph] = c
			paths = append(paths, "#b."+ph, "#h."+ph)
		}
		q.ProjectionExpression = aws.String(strings.Join(paths, ", "))
		q.ExpressionAttributeNames = names
	}
	items, err := s.queryAll(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), err)
	}
	out := make([]reservations.Day, 0, len(items))
	for _, av := range items {
		var it dayItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode day: %w", err)
		}
		if len(children) > 0 {
			for child := range it.Bookings {
				if !slices.Contains(children, child) {
					delete(it.Bookings, child)
				}
			}
			for child := range it.History {
				if !slices.Contains(children, child) {
					delete(it.History, child)
				}
			}
		}
		d, err := it.day()
		if err != nil {
			return nil, err
		}
		d.Activity, d.Site = a, site
		out = append(out, d)
	}
	return out, nil
}

func (it dayItem) day() (reservations.Day, error) {
	d, err := date.Parse(it.SK)
	if err != nil {
		return reservations.Day{}, fmt.Errorf("day item %s/%s: %w", it.PK, it.SK, err)
	}
	out := reservations.Day{Slot: reservations.Slot{Activity: calendar.Activity(it.Activity), Site: it.Site, Day: d}, Booked: it.Booked}
	if it.Bookings != nil {
		out.Bookings = make(map[string]reservations.Booking, len(it.Bookings))
		for child, b := range it.Bookings {
			at, _ := time.Parse(time.RFC3339Nano, b.At)
			out.Bookings[child] = reservations.Booking{At: at, By: b.By, Channel: reservations.Channel(b.Channel)}
		}
	}
	for child, entries := range it.History {
		if out.Changes == nil {
			out.Changes = make(map[string]int, len(it.History))
		}
		out.Changes[child] = len(entries)
		for _, e := range entries {
			out.History = append(out.History, reservations.Change{Who: e.Who, At: time.UnixMilli(e.At).UTC(),
				Channel: reservations.Channel(e.Channel), Action: reservations.Action(e.Action), ChildID: child})
		}
	}
	slices.SortStableFunc(out.History, func(x, y reservations.Change) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return strings.Compare(x.ChildID, y.ChildID)
	})
	return out, nil
}

// Household reads a family's children, enrolments and members in one Query
// (reservations.Repository).
func (s *Store) Household(ctx context.Context, familyID string) (reservations.Household, error) {
	rec, err := s.Family(ctx, familyID)
	if isNotFound(err) {
		return reservations.Household{}, reservations.ErrNoHousehold
	}
	if err != nil {
		return reservations.Household{}, err
	}
	return reservations.Household{FamilyID: familyID, Family: rec.Family, Children: rec.Children, Enrolments: rec.Enrolments, Members: rec.Members}, nil
}

// isValidation reports whether err is a ValidationException (a malformed request, or a nested
// path into a missing map on real DynamoDB).
func isValidation(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException"
}

var _ reservations.Repository = (*Store)(nil)
