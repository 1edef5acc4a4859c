package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/reservations"
)

// The reservation day item: one per activity × site × day.
//
//	PK       DAY#<activity>#<site>#<yyyy-mm>
//	SK       <yyyy-mm-dd>
//	bookings map child id → {at, by, channel}
//	booked   number of entries of bookings
//	log      list of {who, at, channel, action, child}, appended by the write that changes bookings
//
// Every change is ONE UpdateItem whose condition is about the child's own entry (and, for a
// booking, the count against the capacity), so the last seat goes to exactly one child, the count
// never drifts from the map, and the history never drifts from either.
type dayItem struct {
	PK, SK   string
	Activity string               `dynamodbav:"activity"`
	Site     string               `dynamodbav:"site"`
	Day      string               `dynamodbav:"day"`
	Bookings map[string]bookingAV `dynamodbav:"bookings"`
	Booked   int                  `dynamodbav:"booked"`
	Log      []changeAV           `dynamodbav:"log"`
}

type bookingAV struct {
	At      string `dynamodbav:"at"`
	By      string `dynamodbav:"by"`
	Channel string `dynamodbav:"channel"`
}

type changeAV struct {
	Who     string `dynamodbav:"who"`
	At      string `dynamodbav:"at"`
	Channel string `dynamodbav:"channel"`
	Action  string `dynamodbav:"action"`
	Child   string `dynamodbav:"child"`
}

// maxBookAttempts bounds the retries of a booking whose condition failed for a reason that
// vanished by the time it was read (a seat freed, a cancellation crossing the booking).
const maxBookAttempts = 5

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

func changeValue(c reservations.Change) types.AttributeValue {
	return &types.AttributeValueMemberL{Value: []types.AttributeValue{
		&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"who": avS(c.Who), "at": avS(c.At.UTC().Format(time.RFC3339Nano)), "channel": avS(string(c.Channel)),
			"action": avS(string(c.Action)), "child": avS(c.ChildID),
		}},
	}}
}

// BookDay gives childID a seat on slot sl, recording c in the same write. capacity 0 means no
// limit. The common path is one UpdateItem; the item (with its empty map) is created only when
// the first write finds it missing.
func (s *Store) BookDay(ctx context.Context, sl reservations.Slot, childID string, capacity int, c reservations.Change) (reservations.Outcome, error) {
	in := &dynamodb.UpdateItemInput{
		TableName: &s.tables.Data,
		Key:       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression: aws.String("SET #b.#c = :b, #log = list_append(if_not_exists(#log, :none), :entry) " +
			"ADD #n :one"),
		ConditionExpression:      aws.String("attribute_exists(#b) AND attribute_not_exists(#b.#c)"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#c": childID, "#log": "log", "#n": "booked"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":b": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"at": avS(c.At.UTC().Format(time.RFC3339Nano)), "by": avS(c.Who), "channel": avS(string(c.Channel)),
			}},
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entry": changeValue(c),
			":one":   avN(1),
		},
	}
	if capacity > 0 {
		in.ConditionExpression = aws.String("attribute_exists(#b) AND attribute_not_exists(#b.#c) AND #n < :cap")
		in.ExpressionAttributeValues[":cap"] = avN(capacity)
	}
	for range maxBookAttempts {
		_, err := s.db.UpdateItem(ctx, in)
		if err == nil {
			return reservations.Applied, nil
		}
		if isValidation(err) {
			// Real DynamoDB's answer to a nested SET into a missing map.
			if err := s.createDay(ctx, sl); err != nil {
				return 0, err
			}
			continue
		}
		if !isConditionFailed(err) {
			return 0, fmt.Errorf("book %s: %w", sl.Day, err)
		}
		day, found, err := s.day(ctx, sl)
		if err != nil {
			return 0, err
		}
		switch {
		case !found:
			// A day's first booking creates its item with the booking in it: one more write.
			ok, err := s.createDayWith(ctx, sl, []reservations.Change{c})
			if err != nil {
				return 0, err
			}
			if ok {
				return reservations.Applied, nil
			}
		case day.Bookings == nil:
			if err := s.createDay(ctx, sl); err != nil {
				return 0, err
			}
		case hasBooking(day, childID):
			return reservations.Unchanged, nil
		case capacity > 0 && day.Booked >= capacity:
			return reservations.Full, nil
		}
	}
	return 0, fmt.Errorf("book %s: condition kept failing after %d attempts", sl.Day, maxBookAttempts)
}

func hasBooking(d reservations.Day, childID string) bool {
	_, ok := d.Bookings[childID]
	return ok
}

// createDay makes the day item with an empty map and a zero count if it does not exist yet:
// DynamoDB refuses to set an entry of a map that is missing. It is idempotent and races safely.
func (s *Store) createDay(ctx context.Context, sl reservations.Slot) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.tables.Data,
		Key:       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression: aws.String("SET #b = if_not_exists(#b, :empty), #n = if_not_exists(#n, :zero), " +
			"#log = if_not_exists(#log, :none), #a = :a, #s = :s, #d = :d"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#n": "booked", "#log": "log",
			"#a": "activity", "#s": "site", "#d": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":empty": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
			":zero":  avN(0),
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
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

// createDayWith creates a missing day item holding the bookings of cs; false when the item
// appeared meanwhile.
func (s *Store) createDayWith(ctx context.Context, sl reservations.Slot, cs []reservations.Change) (bool, error) {
	bookings := map[string]types.AttributeValue{}
	entries := make([]types.AttributeValue, 0, len(cs))
	for _, c := range cs {
		bookings[c.ChildID] = &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"at": avS(c.At.UTC().Format(time.RFC3339Nano)), "by": avS(c.Who), "channel": avS(string(c.Channel)),
		}}
		entries = append(entries, changeValue(c).(*types.AttributeValueMemberL).Value...)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.tables.Data,
		Key:                 key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:    aws.String("SET #b = :m, #n = :count, #log = :entries, #a = :a, #s = :s, #d = :d"),
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#n": "booked", "#log": "log",
			"#a": "activity", "#s": "site", "#d": "day"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":m":       &types.AttributeValueMemberM{Value: bookings},
			":count":   avN(len(bookings)),
			":entries": &types.AttributeValueMemberL{Value: entries},
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
// the child had no seat (then nothing is recorded). Always one UpdateItem.
func (s *Store) CancelDay(ctx context.Context, sl reservations.Slot, childID string, c reservations.Change) (reservations.Outcome, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:         aws.String("REMOVE #b.#c SET #log = list_append(if_not_exists(#log, :none), :entry) ADD #n :minus"),
		ConditionExpression:      aws.String("attribute_exists(#b.#c)"),
		ExpressionAttributeNames: map[string]string{"#b": "bookings", "#c": childID, "#log": "log", "#n": "booked"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entry": changeValue(c),
			":minus": avN(-1),
		},
	})
	if isConditionFailed(err) {
		return reservations.Unchanged, nil
	}
	if err != nil {
		return 0, fmt.Errorf("cancel %s: %w", sl.Day, err)
	}
	return reservations.Applied, nil
}

// day reads one day item (strongly consistent).
func (s *Store) day(ctx context.Context, sl reservations.Slot) (reservations.Day, bool, error) {
	var it dayItem
	err := s.get(ctx, s.tables.Data, dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day), &it)
	if isNotFound(err) {
		return reservations.Day{Slot: sl}, false, nil
	}
	if err != nil {
		return reservations.Day{}, false, err
	}
	d, err := it.day()
	return d, true, err
}

// Day returns the stored state of a slot (an empty day when nothing was ever booked).
func (s *Store) Day(ctx context.Context, sl reservations.Slot) (reservations.Day, error) {
	d, _, err := s.day(ctx, sl)
	return d, err
}

// DaysOfMonth returns the stored days of activity a at site in month's month: one Query.
func (s *Store) DaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, dayPK(a, site, month), "")
	if err != nil {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), err)
	}
	out := make([]reservations.Day, 0, len(items))
	for _, av := range items {
		var it dayItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode day: %w", err)
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
	for _, c := range it.Log {
		at, _ := time.Parse(time.RFC3339Nano, c.At)
		out.Log = append(out.Log, reservations.Change{Who: c.Who, At: at, Channel: reservations.Channel(c.Channel),
			Action: reservations.Action(c.Action), ChildID: c.Child})
	}
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
	return reservations.Household{FamilyID: familyID, Children: rec.Children, Enrolments: rec.Enrolments, Members: rec.Members}, nil
}

// ActivitySettings returns an activity's settings at a site, ok false when none are set
// (reservations.Repository).
func (s *Store) ActivitySettings(ctx context.Context, a calendar.Activity, site string) (family.Activity, bool, error) {
	act, err := s.Activity(ctx, a, site)
	if isNotFound(err) {
		return family.Activity{}, false, nil
	}
	if err != nil {
		return family.Activity{}, false, err
	}
	return act, true, nil
}

// isValidation reports whether err is a ValidationException (a malformed request, or a nested
// path into a missing map on real DynamoDB).
func isValidation(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationException"
}

var _ reservations.Repository = (*Store)(nil)
