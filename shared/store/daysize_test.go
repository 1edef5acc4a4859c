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
	case *types.AttributeValueMemberBOOL:
		return 1
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

// worstChildDay is a child's day item at its largest: a seat and MaxChangesPerDay+1 entries of
// history (bookings are capped, cancellations are not but need a seat), with a child id of 12
// bytes and a parent address of emailLen bytes.
func worstChildDay(emailLen int) types.AttributeValue {
	return childDayWith(emailLen, reservations.MaxChangesPerDay+1)
}

// childDayWith is a booked child's day item with changes entries of history.
func childDayWith(emailLen, changes int) types.AttributeValue {
	c := reservations.Change{Who: strings.Repeat("a", emailLen), At: time.Date(2026, 12, 7, 9, 0, 0, 123e6, time.UTC),
		Channel: reservations.ChannelLongPeriod, Action: reservations.ActionCancel}
	var entries []types.AttributeValue
	for range changes {
		e, err := entryValue(c)
		if err != nil {
			panic(err)
		}
		entries = append(entries, e)
	}
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"PK": avS("DAY#periscolaire-matin#groupe-scolaire-jean-jaures#2026-12"), "SK": avS("CHILD#c_0123456789#2026-12-07"),
		"s": &types.AttributeValueMemberBOOL{Value: true}, "h": &types.AttributeValueMemberL{Value: entries},
	}}
}

// counterDay is a day's counter with a count of booked seats: its size does not depend on how
// many children the school has, only on the count's digits.
func counterDay(booked int) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"PK": avS("DAY#periscolaire-matin#groupe-scolaire-jean-jaures#2026-12"), "SK": avS("2026-12-07"),
		"booked": avN(booked),
	}}
}

// TestDayItemsStayUnderOneWriteUnit pins the bounds doc.go states, with the longest names of
// activity and site: whatever the school's size, a booking writes a counter of under 200 bytes
// and a child's item of under 1 KB (one write unit) even with MaxChangesPerDay+1 changes and a
// 40-character address (under 512 bytes for an ordinary history: a booking and a change of
// mind), and under 4 KB with the longest address accepted (254).
func TestDayItemsStayUnderOneWriteUnit(t *testing.T) {
	tests := []struct {
		name string
		item types.AttributeValue
		max  int
	}{
		{"a child booked, cancelled, booked again, ordinary address", childDayWith(40, 3), 512},
		{"a child at the cap, ordinary address", worstChildDay(40), 1024},
		{"a child at the cap, longest address", worstChildDay(254), 4 * 1024},
		{"the counter of a day of 9,999 seats", counterDay(9999), 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			size := avSize(tt.item) - 3 // an item is a map without its own overhead
			t.Logf("%d bytes", size)
			if size >= tt.max {
				t.Fatalf("%d bytes, want under %d", size, tt.max)
			}
		})
	}
}
