package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/reservations"
)

// A reservation day (activity × site × day) is two kinds of items in the partition of its month,
// so that no item grows with the school (see doc.go, "The reservation day items"):
//
//	PK       DAY#<activity>#<site>#<yyyy-mm>
//	SK       <yyyy-mm-dd>                       the day's seat counter: booked, the seats taken
//	SK       CHILD#<childId>#<yyyy-mm-dd>       one child's day: s (its seat: true while booked),
//	                                            h (its history: a list of entries, each one string
//	                                            "<action><channel><Unix ms, base 36> <who>", at
//	                                            most reservations.MaxChangesPerDay+1 entries; the
//	                                            booking is its last entry)
//
// Nothing the keys say is stored again: the activity, site and day are read from PK and SK.
// Items written before (a counter with activity, site and day; a child's day with day and
// entries as maps {t, w, a, c}) are read as they are.
//
// Each invariant is one conditional write on one item. The counter's write keeps the capacity:
// `ADD booked 1` only while booked < capacity, so the last seat goes to one child. The child's
// write keeps the child's own rules: a seat set only when it has none and fewer than
// MaxChangesPerDay changes, its history appended by the very write that sets or removes the seat,
// so history never drifts from the seat. Between the two, the order keeps the seats booked never
// above the counter: a booking takes a seat on the counter before it sets the child's seat (and
// gives it back when the child's write is refused), a cancellation removes the child's seat
// before it gives the counter's back. A process dying between the two writes can only leave the
// counter one seat above the children booked, never a child booked beyond the capacity; such a
// seat is found again when it matters, by the booking that finds the day full (freeLostSeats).
//
// An item written before this model (the whole day in one item: bookings and history maps on
// the counter's key) is read as it is, and split into child items by the first change of that
// day (migrateDay).
type dayItem struct {
	PK, SK string
	Booked int `dynamodbav:"booked"`
	// Changed is when a seat was last taken or given back, Checked when freeLostSeats last
	// counted the day's children and found no seat to free (Unix milliseconds; absent on
	// counters written before them).
	Changed int64 `dynamodbav:"ch"`
	Checked int64 `dynamodbav:"ck"`
	// Bookings and History are those of an item written before child items: read, then moved.
	Bookings map[string]bookingAV `dynamodbav:"bookings"`
	History  map[string][]entryAV `dynamodbav:"history"`
}

// legacy reports whether the counter still holds the whole day's maps of the former model.
func (it dayItem) legacy() bool { return it.Bookings != nil || it.History != nil }

// childDayItem is one child's day, kept small (a family keeps one per child, activity and day
// for years): its keys say the activity, site, child and day; short attribute names.
type childDayItem struct {
	PK, SK  string
	Seat    seatAV    `dynamodbav:"s"`
	History []entryAV `dynamodbav:"h"`
}

// child is the item's child id, from its sort key CHILD#<childId>#<yyyy-mm-dd>.
func (it childDayItem) child() string {
	c, _, _ := childDayOf(it.SK)
	return c
}

// seatAV is a child's seat: true while booked, the booking being the history's last entry; or,
// on a day moved from a former item whose booking had no history, that booking itself.
type seatAV struct {
	taken bool
	moved *bookingAV
}

// UnmarshalDynamoDBAttributeValue reads either form of a seat.
func (s *seatAV) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case *types.AttributeValueMemberBOOL:
		s.taken = v.Value
	case *types.AttributeValueMemberM:
		var b bookingAV
		if err := attributevalue.UnmarshalMap(v.Value, &b); err != nil {
			return err
		}
		s.taken, s.moved = true, &b
	case *types.AttributeValueMemberNULL:
	default:
		return fmt.Errorf("seat: unexpected %T", av)
	}
	return nil
}

type bookingAV struct {
	At      string `dynamodbav:"at"`
	By      string `dynamodbav:"by"`
	Channel string `dynamodbav:"channel"`
}

// entryAV is one change of a child's history. It is stored as one string,
// "<action><channel><Unix ms in base 36> <who>" with a letter for the action and one for the
// channel (entryCodes): "blmt167og0 anne.martin@exemple.fr" is a booking by long period. A
// change whose action or channel has no letter is stored as the map of the former form,
// {t: Unix ms, w: who, a: action, c: channel}, which is read as well.
type entryAV struct {
	At      int64 // Unix milliseconds
	Who     string
	Action  string
	Channel string
}

// entryMapAV is the former form of an entry, still read (and written for a change without
// letters).
type entryMapAV struct {
	At      int64  `dynamodbav:"t"`
	Who     string `dynamodbav:"w"`
	Action  string `dynamodbav:"a"`
	Channel string `dynamodbav:"c"`
}

// entryCodes are the letters of actions and channels in a stored entry. A letter, once
// written, keeps its meaning: entries are kept for years.
var entryCodes = struct{ actions, channels map[string]byte }{
	actions: map[string]byte{string(reservations.ActionBook): 'b', string(reservations.ActionCancel): 'c'},
	channels: map[string]byte{string(reservations.ChannelWeb): 'w', string(reservations.ChannelAPI): 'a',
		string(reservations.ChannelLongPeriod): 'l', string(reservations.ChannelTownHall): 't',
		string(reservations.ChannelClosure): 'f'},
}

// decodeLetter is the name a letter stands for in codes.
func decodeLetter(codes map[string]byte, l byte) (string, bool) {
	for name, c := range codes {
		if c == l {
			return name, true
		}
	}
	return "", false
}

// MarshalDynamoDBAttributeValue writes the entry's compact string (its map without letters).
func (e entryAV) MarshalDynamoDBAttributeValue() (types.AttributeValue, error) {
	a, okA := entryCodes.actions[e.Action]
	c, okC := entryCodes.channels[e.Channel]
	if !okA || !okC || e.At < 0 {
		return attributevalue.Marshal(entryMapAV(e))
	}
	return avS(string([]byte{a, c}) + strconv.FormatInt(e.At, 36) + " " + e.Who), nil
}

// UnmarshalDynamoDBAttributeValue reads either form of an entry.
func (e *entryAV) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		head, who, found := strings.Cut(v.Value, " ")
		if !found || len(head) < 3 {
			return errors.New("history entry: not of the compact form") // its text holds an address: kept out of logs
		}
		a, okA := decodeLetter(entryCodes.actions, head[0])
		c, okC := decodeLetter(entryCodes.channels, head[1])
		at, err := strconv.ParseInt(head[2:], 36, 64)
		if !okA || !okC || err != nil {
			return errors.New("history entry: not of the compact form") // its text holds an address: kept out of logs
		}
		*e = entryAV{At: at, Who: who, Action: a, Channel: c}
	case *types.AttributeValueMemberM:
		var m entryMapAV
		if err := attributevalue.UnmarshalMap(v.Value, &m); err != nil {
			return err
		}
		*e = entryAV(m)
	default:
		return fmt.Errorf("history entry: unexpected %T", av)
	}
	return nil
}

// maxDayAttempts bounds the retries of a change whose condition failed for a reason that
// vanished by the time it was read (a seat freed, a cancellation crossing the booking), or
// whose day had to be moved out of a former item first.
const maxDayAttempts = 5

// newDayWriters bounds the children's writes BookNewDay runs at once.
const newDayWriters = 8

// childPrefix is where the child items of a month partition begin: every counter's SK (a date,
// "2…") sorts before it.
const childPrefix = "CHILD#"

func avS(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func avN(v int) types.AttributeValue    { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

func entryValue(c reservations.Change) (types.AttributeValue, error) {
	return entryAV{At: c.At.UnixMilli(), Who: c.Who, Action: string(c.Action), Channel: string(c.Channel)}.MarshalDynamoDBAttributeValue()
}

// ErrInvalidChild refuses a change for an empty child id or one holding '#' (it would make
// another item's key).
var ErrInvalidChild = errors.New("store: invalid child id")

func checkChild(op string, sl reservations.Slot, childID string) error {
	if childID == "" || strings.Contains(childID, "#") {
		return fmt.Errorf("%s %s: %w", op, sl.Day, ErrInvalidChild)
	}
	return nil
}

// BookDay gives childID a seat on slot sl, recording c in the same write as the seat. capacity 0
// means no limit. The common path is two UpdateItems of small items: a seat taken on the day's
// counter, then the child's seat and history. TooManyChanges when the child's history of the
// day is full; Unchanged when it is booked already (the seat taken for it is given back).
func (s *Store) BookDay(ctx context.Context, sl reservations.Slot, childID string, capacity int, c reservations.Change) (reservations.Outcome, error) {
	if err := checkChild("book", sl, childID); err != nil {
		return 0, err
	}
	for range maxDayAttempts {
		taken, err := s.takeSeats(ctx, sl, capacity, 1, false, c.At)
		if err != nil {
			return 0, err
		}
		if !taken {
			counter, found, err := s.counter(ctx, sl)
			if err != nil {
				return 0, err
			}
			if found && counter.legacy() {
				if err := s.migrateDay(ctx, sl, counter); err != nil {
					return 0, err
				}
				continue
			}
			child, _, err := s.childDay(ctx, sl, childID)
			switch {
			case err != nil:
				return 0, err
			case child.Seat.taken:
				return reservations.Unchanged, nil
			case len(child.History) >= reservations.MaxChangesPerDay:
				return reservations.TooManyChanges, nil
			case capacity > 0 && found && counter.Booked >= capacity:
				freed, err := s.freeLostSeats(ctx, sl, counter, c.At)
				if err != nil {
					return 0, err
				}
				if !freed {
					return reservations.Full, nil
				}
			}
			continue // a seat was freed meanwhile
		}
		set, err := s.setSeat(ctx, sl, childID, c)
		if err != nil {
			// The answer is unknown (the write may have applied): the seat stays taken, so the
			// children booked never outnumber the counter.
			return 0, err
		}
		if set {
			return reservations.Applied, nil
		}
		if err := s.giveBackSeat(ctx, sl, c.At); err != nil {
			return 0, err
		}
		child, _, err := s.childDay(ctx, sl, childID)
		switch {
		case err != nil:
			return 0, err
		case child.Seat.taken:
			return reservations.Unchanged, nil
		case len(child.History) >= reservations.MaxChangesPerDay:
			return reservations.TooManyChanges, nil
		}
	}
	return 0, fmt.Errorf("book %s: condition kept failing after %d attempts", sl.Day, maxDayAttempts)
}

// takeSeats adds n to the day's counter, creating it, provided the seats stay within capacity
// (> 0) and the day is not a former item still to move; at (the change's time) becomes the
// counter's Changed. create requires that the counter did not exist. False when the condition
// refused it.
func (s *Store) takeSeats(ctx context.Context, sl reservations.Slot, capacity, n int, create bool, at time.Time) (bool, error) {
	in := &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:         aws.String("SET #ch = :ch ADD #n :n"),
		ConditionExpression:      aws.String("attribute_not_exists(#b) AND attribute_not_exists(#h)"),
		ExpressionAttributeNames: map[string]string{"#n": "booked", "#b": "bookings", "#h": "history", "#ch": "ch"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n": avN(n), ":ch": avN64(at.UnixMilli()),
		},
	}
	if create {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
		in.ExpressionAttributeNames = map[string]string{"#n": "booked", "#ch": "ch"}
	}
	if capacity > 0 {
		in.ConditionExpression = aws.String(*in.ConditionExpression + " AND (attribute_not_exists(#n) OR #n <= :room)")
		in.ExpressionAttributeValues[":room"] = avN(capacity - n)
	}
	_, err := s.db.UpdateItem(ctx, in)
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take seat %s: %w", sl.Day, err)
	}
	return true, nil
}

// giveBackSeat takes one seat off the day's counter (never below zero); at (the change's time)
// becomes the counter's Changed.
func (s *Store) giveBackSeat(ctx context.Context, sl reservations.Slot, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:         aws.String("SET #ch = :ch ADD #n :minus"),
		ConditionExpression:      aws.String("#n > :zero"),
		ExpressionAttributeNames: map[string]string{"#n": "booked", "#ch": "ch"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": avN(-1), ":zero": avN(0),
			":ch": avN64(at.UnixMilli())},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("give back seat %s: %w", sl.Day, err)
	}
	return nil
}

// setSeat is the child's write of a booking: the seat and its history entry, provided the child
// has no seat and fewer than MaxChangesPerDay changes. False when the condition refused it.
func (s *Store) setSeat(ctx context.Context, sl reservations.Slot, childID string, c reservations.Change) (bool, error) {
	entry, err := entryValue(c)
	if err != nil {
		return false, fmt.Errorf("book %s: %w", sl.Day, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(dayPK(sl.Activity, sl.Site, sl.Day), childDaySK(childID, sl.Day)),
		UpdateExpression:         aws.String("SET #seat = :seat, #h = list_append(if_not_exists(#h, :none), :entry)"),
		ConditionExpression:      aws.String("attribute_not_exists(#seat) AND (attribute_not_exists(#h) OR size(#h) < :max)"),
		ExpressionAttributeNames: map[string]string{"#seat": "s", "#h": "h"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seat":  &types.AttributeValueMemberBOOL{Value: true},
			":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			":entry": &types.AttributeValueMemberL{Value: []types.AttributeValue{entry}},
			":max":   avN(reservations.MaxChangesPerDay),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("book %s: %w", sl.Day, err)
	}
	return true, nil
}

// BookNewDay creates the counter of a day believed not stored yet with one seat per change in cs,
// then sets each child's seat. It returns false, changing nothing, when the day exists after all
// or cs exceeds the capacity: the caller then books each child with BookDay.
func (s *Store) BookNewDay(ctx context.Context, sl reservations.Slot, capacity int, cs []reservations.Change) (bool, error) {
	if len(cs) == 0 || (capacity > 0 && len(cs) > capacity) {
		return false, nil
	}
	seen := map[string]bool{}
	for _, c := range cs {
		if err := checkChild("book new day", sl, c.ChildID); err != nil {
			return false, err
		}
		if seen[c.ChildID] {
			return false, fmt.Errorf("create day %s: a child booked twice in one write", sl.Day)
		}
		seen[c.ChildID] = true
	}
	created, err := s.takeSeats(ctx, sl, capacity, len(cs), true, cs[0].At)
	if err != nil || !created {
		return false, err
	}
	// The children's items are distinct: their writes go together, a few at a time.
	errs := make([]error, len(cs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, newDayWriters)
	for i, c := range cs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = s.seatOnNewDay(ctx, sl, capacity, c)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return false, err
	}
	return true, nil
}

// seatOnNewDay sets the seat of c's child on a day whose counter BookNewDay just created with
// that child's seat in it.
func (s *Store) seatOnNewDay(ctx context.Context, sl reservations.Slot, capacity int, c reservations.Change) error {
	set, err := s.setSeat(ctx, sl, c.ChildID, c)
	if err != nil || set {
		return err
	}
	// Not expected (no child has an item of a day without a counter): book it the usual way.
	if err := s.giveBackSeat(ctx, sl, c.At); err != nil {
		return err
	}
	out, err := s.BookDay(ctx, sl, c.ChildID, capacity, c)
	if err != nil {
		return err
	}
	if out != reservations.Applied && out != reservations.Unchanged {
		return fmt.Errorf("create day %s: a child's booking was refused after the day was created", sl.Day)
	}
	return nil
}

// CancelDay removes childID's seat on slot sl, recording c in the same write, then gives the
// seat back to the day's counter; Unchanged when the child had no seat (then nothing is
// recorded). A cancellation is never refused for the child's number of changes, so a child is
// never trapped holding a seat; it needs a seat, and only bookings are capped, so a child's
// history holds at most MaxChangesPerDay+1 entries.
func (s *Store) CancelDay(ctx context.Context, sl reservations.Slot, childID string, c reservations.Change) (reservations.Outcome, error) {
	if err := checkChild("cancel", sl, childID); err != nil {
		return 0, err
	}
	entry, err := entryValue(c)
	if err != nil {
		return 0, fmt.Errorf("cancel %s: %w", sl.Day, err)
	}
	for range maxDayAttempts {
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:                &s.tables.Data,
			Key:                      key(dayPK(sl.Activity, sl.Site, sl.Day), childDaySK(childID, sl.Day)),
			UpdateExpression:         aws.String("REMOVE #seat SET #h = list_append(if_not_exists(#h, :none), :entry)"),
			ConditionExpression:      aws.String("attribute_exists(#seat)"),
			ExpressionAttributeNames: map[string]string{"#seat": "s", "#h": "h"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":none":  &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
				":entry": &types.AttributeValueMemberL{Value: []types.AttributeValue{entry}},
			},
		})
		if err == nil {
			if err := s.giveBackSeat(ctx, sl, c.At); err != nil {
				return 0, err
			}
			return reservations.Applied, nil
		}
		if !isConditionFailed(err) {
			return 0, fmt.Errorf("cancel %s: %w", sl.Day, err)
		}
		counter, found, err := s.counter(ctx, sl)
		if err != nil {
			return 0, err
		}
		if !found || !counter.legacy() {
			return reservations.Unchanged, nil
		}
		if err := s.migrateDay(ctx, sl, counter); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("cancel %s: condition kept failing after %d attempts", sl.Day, maxDayAttempts)
}

// migrateDay moves a former day item's bookings and history (read as old) into child items,
// then removes them from the counter, which keeps its count. A child item already there (a
// migration that stopped half-way, or a concurrent one) is left as it is; removing the maps is
// conditioned on the count read, so a change made meanwhile by a former function is read again.
func (s *Store) migrateDay(ctx context.Context, sl reservations.Slot, old dayItem) error {
	children := map[string]bool{}
	for c := range old.Bookings {
		children[c] = true
	}
	for c := range old.History {
		children[c] = true
	}
	for child := range children {
		history := old.History[child]
		if history == nil {
			history = []entryAV{}
		}
		h, err := attributevalue.Marshal(history)
		if err != nil {
			return fmt.Errorf("move day %s: %w", sl.Day, err)
		}
		in := &dynamodb.UpdateItemInput{
			TableName:                 &s.tables.Data,
			Key:                       key(dayPK(sl.Activity, sl.Site, sl.Day), childDaySK(child, sl.Day)),
			UpdateExpression:          aws.String("SET #h = :h"),
			ConditionExpression:       aws.String("attribute_not_exists(PK)"),
			ExpressionAttributeNames:  map[string]string{"#h": "h"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":h": h},
		}
		if b, ok := old.Bookings[child]; ok {
			// The seat is true when the history ends with this booking, else the booking itself.
			var seat types.AttributeValue = &types.AttributeValueMemberBOOL{Value: true}
			if n := len(history); n == 0 || history[n-1].Action != string(reservations.ActionBook) {
				if seat, err = attributevalue.Marshal(b); err != nil {
					return fmt.Errorf("move day %s: %w", sl.Day, err)
				}
			}
			in.UpdateExpression = aws.String(*in.UpdateExpression + ", #seat = :seat")
			in.ExpressionAttributeNames["#seat"] = "s"
			in.ExpressionAttributeValues[":seat"] = seat
		}
		// An UpdateItem, not a PutItem: the functions that change days hold UpdateItem only.
		if _, err := s.db.UpdateItem(ctx, in); err != nil && !isConditionFailed(err) {
			return fmt.Errorf("move day %s: %w", sl.Day, err)
		}
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.tables.Data,
		Key:                       key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day)),
		UpdateExpression:          aws.String("REMOVE #b, #h"),
		ConditionExpression:       aws.String("#n = :n"),
		ExpressionAttributeNames:  map[string]string{"#b": "bookings", "#h": "history", "#n": "booked"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": avN(old.Booked)},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("move day %s: %w", sl.Day, err)
	}
	return nil
}

// seatSettle is how long a day must have been left alone before freeLostSeats counts its
// children: longer than any function runs (Lambda stops one after 15 minutes at most), so no
// booking or cancellation is half-way through its two writes on a day quiet for that long.
const seatSettle = 20 * time.Minute

// freeLostSeats gives back the seats of a full day that no child holds: those a process took on
// the counter and died before setting the child's (or a cancellation gave up the child's and
// died before giving the counter's back). BookDay calls it when counter, as just read, says the
// day is full; now is the booking's time. It counts the day's children only when nothing changed
// the day for seatSettle (the counter's Changed, every child's last history entry) and nothing
// changed since the last count found no lost seat (Checked); then it sets the counter to the
// children booked, conditioned on the counter being still what was read, so a booking or a
// cancellation that starts meanwhile makes it give up. True when it freed a seat.
func (s *Store) freeLostSeats(ctx context.Context, sl reservations.Slot, counter dayItem, now time.Time) (bool, error) {
	settled := now.Add(-seatSettle).UnixMilli()
	if counter.legacy() || counter.Changed > settled || counter.Checked >= counter.Changed && counter.Checked > 0 {
		return false, nil
	}
	// The month's children's items, kept to the day's by the end of their SK (a child's day
	// stores no day of its own; a filter could not compare the SK's end, and a Query is billed
	// for what it reads whatever the filter keeps).
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              &s.tables.Data,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :child)"),
		ProjectionExpression:   aws.String("SK, s, h"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": avS(dayPK(sl.Activity, sl.Site, sl.Day)), ":child": avS(childPrefix),
		},
	})
	if err != nil {
		return false, fmt.Errorf("count seats %s: %w", sl.Day, err)
	}
	seated := 0
	for _, av := range items {
		if _, d, ok := childDayOf(attr(av, "SK")); !ok || d.Compare(sl.Day) != 0 {
			continue
		}
		var it childDayItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return false, fmt.Errorf("count seats %s: %w", sl.Day, err)
		}
		if n := len(it.History); n > 0 && it.History[n-1].At > settled {
			return false, nil // a child's change is recent: its counter write may be on its way
		}
		if it.Seat.taken {
			seated++
		}
	}
	if seated >= counter.Booked {
		// Nothing lost: remember it, so that the next full booking reads no children again
		// until a seat changes hands.
		_, err := s.db.UpdateItem(ctx, s.counterUnchanged(sl, counter, &dynamodb.UpdateItemInput{
			UpdateExpression:          aws.String("SET #ck = :now"),
			ExpressionAttributeNames:  map[string]string{"#ck": "ck"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": avN64(max(now.UnixMilli(), counter.Changed))},
		}))
		if err != nil && !isConditionFailed(err) {
			return false, fmt.Errorf("count seats %s: %w", sl.Day, err)
		}
		return false, nil
	}
	_, err = s.db.UpdateItem(ctx, s.counterUnchanged(sl, counter, &dynamodb.UpdateItemInput{
		UpdateExpression:         aws.String("SET #n = :seated, #ch = :now"),
		ExpressionAttributeNames: map[string]string{"#ch": "ch"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seated": avN(seated), ":now": avN64(max(now.UnixMilli(), counter.Changed+1)),
		},
	}))
	if isConditionFailed(err) {
		return false, nil // the day changed meanwhile: the booking reads it again
	}
	if err != nil {
		return false, fmt.Errorf("free lost seats %s: %w", sl.Day, err)
	}
	return true, nil
}

// FreeLostSeats gives back the lost seats (see freeLostSeats) of the full days of activity a at
// site in month's month, from day from on: capacity is the activity's, now the sweep's time. It
// reads the month's counters of full days only (one Query, filtered to counters at or above
// capacity and of the current model), then counts the children of each that has been quiet for
// seatSettle. It returns how many days had seats given back. The nightly job calls it for the
// days still to come, so that a day shown full by a seat nobody holds is bookable again the next
// morning, whether or not anyone tried to book it meanwhile.
func (s *Store) FreeLostSeats(ctx context.Context, a calendar.Activity, site string, month, from date.Date, capacity int,
	now time.Time) (int, error) {
	if capacity <= 0 {
		return 0, nil
	}
	first, last := month.FirstOfMonth(), month.AddMonths(1).AddDays(-1)
	if from.After(first) {
		first = from
	}
	if first.After(last) {
		return 0, nil
	}
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              &s.tables.Data,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :first AND :last"),
		FilterExpression:       aws.String("booked >= :capacity AND attribute_not_exists(bookings) AND attribute_not_exists(history)"),
		ProjectionExpression:   aws.String("SK, booked, ch, ck"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": avS(dayPK(a, site, month)), ":first": avS(daySK(first)), ":last": avS(daySK(last)), ":capacity": avN(capacity),
		},
	})
	if err != nil {
		return 0, fmt.Errorf("full days of %s: %w", month.MonthKey(), err)
	}
	freed := 0
	for _, av := range items {
		var counter dayItem
		if err := attributevalue.UnmarshalMap(av, &counter); err != nil {
			return freed, fmt.Errorf("full days of %s: %w", month.MonthKey(), err)
		}
		day, err := date.Parse(counter.SK)
		if err != nil {
			return freed, fmt.Errorf("full days of %s: %w", month.MonthKey(), err)
		}
		ok, err := s.freeLostSeats(ctx, reservations.Slot{Activity: a, Site: site, Day: day}, counter, now)
		if err != nil {
			return freed, err
		}
		if ok {
			freed++
		}
	}
	return freed, nil
}

// counterUnchanged completes in, an update of sl's counter, with the condition that the counter
// is still as read: the same seats booked and the same Changed (absent on a counter written
// before it).
func (s *Store) counterUnchanged(sl reservations.Slot, counter dayItem, in *dynamodb.UpdateItemInput) *dynamodb.UpdateItemInput {
	in.TableName = &s.tables.Data
	in.Key = key(dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day))
	in.ExpressionAttributeNames["#n"] = "booked"
	in.ExpressionAttributeNames["#ch"] = "ch"
	in.ExpressionAttributeValues[":n"] = avN(counter.Booked)
	cond := "#n = :n AND attribute_not_exists(#ch)"
	if counter.Changed != 0 {
		cond = "#n = :n AND #ch = :ch"
		in.ExpressionAttributeValues[":ch"] = avN64(counter.Changed)
	}
	in.ConditionExpression = aws.String(cond)
	return in
}

// counter reads the day's counter item (strongly consistent).
func (s *Store) counter(ctx context.Context, sl reservations.Slot) (dayItem, bool, error) {
	var it dayItem
	found, err := s.lookup(ctx, s.tables.Data, dayPK(sl.Activity, sl.Site, sl.Day), daySK(sl.Day), &it)
	return it, found, err
}

// childDay reads one child's day item (strongly consistent).
func (s *Store) childDay(ctx context.Context, sl reservations.Slot, childID string) (childDayItem, bool, error) {
	var it childDayItem
	found, err := s.lookup(ctx, s.tables.Data, dayPK(sl.Activity, sl.Site, sl.Day), childDaySK(childID, sl.Day), &it)
	return it, found, err
}

// Day returns the stored state of a slot (an empty day when nothing was ever booked). It reads
// the month's partition: it is for tests and tools, not for a request's path.
func (s *Store) Day(ctx context.Context, sl reservations.Slot) (reservations.Day, error) {
	days, err := s.DaysOfMonth(ctx, sl.Activity, sl.Site, sl.Day)
	if err != nil {
		return reservations.Day{}, err
	}
	for _, d := range days {
		if d.Day == sl.Day {
			return d, nil
		}
	}
	return reservations.Day{Slot: sl}, nil
}

// maxProjectedChildren bounds the children whose entries of a former day item a month's read
// projects; beyond it, reading whole items is simpler than a long expression (no family has
// that many children).
const maxProjectedChildren = 50

// ErrNoChildren refuses a family's month read without children: reading whole days instead
// would hand a family every other family's bookings and history.
var ErrNoChildren = errors.New("store: a family's month read needs its children")

// DaysOfMonth returns the stored days of activity a at site in month's month, whole: every
// child's bookings and history, of every family. It is for the town hall's headcounts and
// billing; a family's pages read FamilyDaysOfMonth. One Query of the month's partition (paged).
func (s *Store) DaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date) ([]reservations.Day, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, dayPK(a, site, month), "")
	if err != nil {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), err)
	}
	return foldDays(a, site, items, nil)
}

// FamilyDaysOfMonth returns the stored days of activity a at site in month's month holding only
// the bookings and history of children (and the count of all bookings): a family's planning
// reads nothing of other families' entries. An empty children list is refused with
// ErrNoChildren rather than read as "everyone". One Query of the month's counters and one per
// child (its own items only), run together.
func (s *Store) FamilyDaysOfMonth(ctx context.Context, a calendar.Activity, site string, month date.Date, children []string) ([]reservations.Day, error) {
	if len(children) == 0 {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), ErrNoChildren)
	}
	pk := dayPK(a, site, month)
	counters := &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND SK < :child"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(pk), ":child": avS(childPrefix)},
	}
	if len(children) <= maxProjectedChildren {
		// A former day item holds every child's entries: project the family's only.
		names := map[string]string{"#sk": "SK", "#n": "booked", "#b": "bookings", "#h": "history"}
		paths := []string{"#sk", "#n"}
		for i, c := range children {
			ph := fmt.Sprintf("#c%d", i)
			names[ph] = c
			paths = append(paths, "#b."+ph, "#h."+ph)
		}
		counters.ProjectionExpression = aws.String(strings.Join(paths, ", "))
		counters.ExpressionAttributeNames = names
	}
	queries := []*dynamodb.QueryInput{counters}
	for _, c := range children {
		if strings.Contains(c, "#") {
			return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), ErrInvalidChild)
		}
		queries = append(queries, &dynamodb.QueryInput{
			TableName:                 &s.tables.Data,
			ConsistentRead:            aws.Bool(true),
			KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :prefix)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(pk), ":prefix": avS(childDayPrefix(c))},
		})
	}
	items, err := s.queryAllAtOnce(ctx, queries)
	if err != nil {
		return nil, fmt.Errorf("days of %s: %w", month.MonthKey(), err)
	}
	return foldDays(a, site, items, children)
}

// foldDays assembles the days of a month partition's items: counters (with a former item's
// maps) and child items; only children's entries when children is not nil.
func foldDays(a calendar.Activity, site string, items []map[string]types.AttributeValue, children []string) ([]reservations.Day, error) {
	days := map[date.Date]*reservations.Day{}
	dayOf := func(d date.Date) *reservations.Day {
		if days[d] == nil {
			days[d] = &reservations.Day{Slot: reservations.Slot{Activity: a, Site: site, Day: d}}
		}
		return days[d]
	}
	wanted := func(child string) bool { return children == nil || slices.Contains(children, child) }
	for _, av := range items {
		sk, _ := av["SK"].(*types.AttributeValueMemberS)
		if sk != nil && strings.HasPrefix(sk.Value, childPrefix) {
			var it childDayItem
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return nil, fmt.Errorf("decode day: %w", err)
			}
			child, d, ok := childDayOf(it.SK)
			if !ok {
				return nil, fmt.Errorf("child day item %s/%s: not a child's day", it.PK, it.SK)
			}
			if wanted(child) {
				addChild(dayOf(d), child, it.Seat, it.History)
			}
			continue
		}
		var it dayItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode day: %w", err)
		}
		d, err := date.Parse(it.SK)
		if err != nil {
			return nil, fmt.Errorf("day item %s/%s: %w", it.PK, it.SK, err)
		}
		day := dayOf(d)
		day.Booked = it.Booked
		for child, entries := range it.History {
			if wanted(child) {
				seat := seatAV{}
				if b, booked := it.Bookings[child]; booked {
					seat = seatAV{taken: true, moved: &b}
				}
				addChild(day, child, seat, entries)
			}
		}
		for child, b := range it.Bookings {
			if _, done := it.History[child]; !done && wanted(child) {
				addChild(day, child, seatAV{taken: true, moved: &b}, nil)
			}
		}
	}
	out := make([]reservations.Day, 0, len(days))
	for _, d := range days {
		slices.SortStableFunc(d.History, func(x, y reservations.Change) int {
			if c := x.At.Compare(y.At); c != 0 {
				return c
			}
			return strings.Compare(x.ChildID, y.ChildID)
		})
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y reservations.Day) int { return x.Day.Compare(y.Day) })
	return out, nil
}

// addChild adds a child's seat and history to a day.
func addChild(d *reservations.Day, child string, seat seatAV, entries []entryAV) {
	if seat.taken {
		if d.Bookings == nil {
			d.Bookings = map[string]reservations.Booking{}
		}
		var b reservations.Booking
		if seat.moved != nil {
			at, _ := time.Parse(time.RFC3339Nano, seat.moved.At)
			b = reservations.Booking{At: at, By: seat.moved.By, Channel: reservations.Channel(seat.moved.Channel)}
		}
		for i := len(entries) - 1; i >= 0 && seat.moved == nil; i-- {
			if e := entries[i]; e.Action == string(reservations.ActionBook) {
				b = reservations.Booking{At: time.UnixMilli(e.At).UTC(), By: e.Who, Channel: reservations.Channel(e.Channel)}
				break
			}
		}
		d.Bookings[child] = b
	}
	if len(entries) == 0 {
		return
	}
	if d.Changes == nil {
		d.Changes = map[string]int{}
	}
	d.Changes[child] += len(entries)
	for _, e := range entries {
		d.History = append(d.History, reservations.Change{Who: e.Who, At: time.UnixMilli(e.At).UTC(),
			Channel: reservations.Channel(e.Channel), Action: reservations.Action(e.Action), ChildID: child})
	}
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

var _ reservations.Repository = (*Store)(nil)
