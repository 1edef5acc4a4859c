package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/reservations"
)

// avSize is an attribute value's size by DynamoDB's rules: strings by their UTF-8 bytes,
// numbers by about one byte per two digits plus one, maps and lists 3 bytes plus 1 per element
// (and a map's keys).
func avSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return (len(strings.TrimLeft(x.Value, "-"))+1)/2 + 1
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + avSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + avSize(e)
		}
		return n
	}
	panic(fmt.Sprintf("avSize: %T", v))
}

// worstDay is a day item where each of children children, with ids of 12 bytes and a parent
// address of emailLen bytes, holds a seat and MaxChangesPerDay+1 entries of history (the most a
// child can have: bookings are capped, cancellations are not but need a seat).
func worstDay(children, emailLen int) types.AttributeValue {
	c := reservations.Change{Who: strings.Repeat("a", emailLen), At: time.Date(2026, 12, 7, 9, 0, 0, 123e6, time.UTC),
		Channel: reservations.ChannelLongPeriod, Action: reservations.ActionCancel}
	bookings := map[string]types.AttributeValue{}
	history := map[string]types.AttributeValue{}
	for i := range children {
		id := fmt.Sprintf("c_%010d", i)
		bookings[id] = bookingValue(c)
		var entries []types.AttributeValue
		for range reservations.MaxChangesPerDay + 1 {
			entries = append(entries, entryValue(c))
		}
		history[id] = &types.AttributeValueMemberL{Value: entries}
	}
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"PK": avS("DAY#periscolaire-matin#jules-ferry#2026-12"), "SK": avS("2026-12-07"),
		"activity": avS("periscolaire-matin"), "site": avS("jules-ferry"), "day": avS("2026-12-07"),
		"bookings": &types.AttributeValueMemberM{Value: bookings}, "booked": avN(children),
		"history": &types.AttributeValueMemberM{Value: history},
	}}
}

// TestDayItemStaysUnderTheLimit pins the bound doc.go states: even with every child at
// MaxChangesPerDay+1 entries, a day of 250 children whose parents' addresses have 40 characters stays
// under 240 KB (60 % of DynamoDB's 400 KB item limit), and one family of 5 children with
// 254-character addresses (the longest accepted) adds less than 20 KB.
func TestDayItemStaysUnderTheLimit(t *testing.T) {
	tests := []struct {
		name               string
		children, emailLen int
		max                int
	}{
		{"a large site, ordinary addresses", 250, 40, 240 * 1024},
		{"one family, longest addresses", 5, 254, 20 * 1024},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := avSize(worstDay(tt.children, tt.emailLen)) - 3 // an item is a map without its own overhead
			t.Logf("%d children, %d-byte addresses: %d bytes (%d per child)", tt.children, tt.emailLen, size, size/tt.children)
			if size >= tt.max {
				t.Fatalf("%d bytes, want under %d", size, tt.max)
			}
		})
	}
}
