package store

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/shared/reservations"
)

// TestLegacyDay: only a counter still holding a former day item's maps is moved to child items
// before a change; a counter of the present model never is.
func TestLegacyDay(t *testing.T) {
	tests := []struct {
		name string
		it   dayItem
		want bool
	}{
		{"a counter", dayItem{Booked: 3}, false},
		{"a former item with bookings and history", dayItem{Booked: 1,
			Bookings: map[string]bookingAV{"c_1": {}}, History: map[string][]entryAV{"c_1": {{}}}}, true},
		{"a former item without history", dayItem{Booked: 1, Bookings: map[string]bookingAV{"c_1": {}}}, true},
		{"a former item with empty maps", dayItem{Bookings: map[string]bookingAV{}, History: map[string][]entryAV{}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.it.legacy(); got != tt.want {
				t.Fatalf("legacy = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHistoryEntryRoundTrips: every action and channel of the reservation rules is stored as
// the compact string and read back as it was; a change without letters is stored, and read
// back, as the former map.
func TestHistoryEntryRoundTrips(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 0, 0, 123e6, time.UTC)
	var tests []reservations.Change
	for _, a := range []reservations.Action{reservations.ActionBook, reservations.ActionCancel} {
		for _, c := range []reservations.Channel{reservations.ChannelWeb, reservations.ChannelAPI, reservations.ChannelLongPeriod,
			reservations.ChannelTownHall, reservations.ChannelClosure} {
			tests = append(tests, reservations.Change{Who: "anne.martin@exemple.fr", At: at, Channel: c, Action: a})
		}
	}
	tests = append(tests,
		reservations.Change{Who: reservations.TownHall, At: at, Channel: reservations.ChannelClosure, Action: reservations.ActionCancel},
		reservations.Change{Who: "", At: time.UnixMilli(0).UTC(), Channel: reservations.ChannelWeb, Action: reservations.ActionBook},
		reservations.Change{Who: "a b c@exemple.fr", At: at, Channel: "a-channel-yet-to-come", Action: reservations.ActionBook},
		reservations.Change{Who: "p@exemple.fr", At: at, Channel: reservations.ChannelWeb, Action: "an-action-yet-to-come"},
	)
	for _, c := range tests {
		t.Run(string(c.Action)+"/"+string(c.Channel)+"/"+c.Who, func(t *testing.T) {
			av, err := entryValue(c)
			if err != nil {
				t.Fatal(err)
			}
			_, lettered := entryCodes.channels[string(c.Channel)]
			_, letteredA := entryCodes.actions[string(c.Action)]
			switch v := av.(type) {
			case *types.AttributeValueMemberS:
				if !lettered || !letteredA {
					t.Fatalf("a change without letters stored as %q", v.Value)
				}
				if want := len(c.Who) + 12; len(v.Value) > want {
					t.Errorf("%q: %d bytes, want at most %d", v.Value, len(v.Value), want)
				}
			case *types.AttributeValueMemberM:
				if lettered && letteredA {
					t.Fatalf("a lettered change stored as a map: %v", v.Value)
				}
			default:
				t.Fatalf("stored as %T", av)
			}
			var got entryAV
			if err := attributevalue.Unmarshal(av, &got); err != nil {
				t.Fatal(err)
			}
			want := entryAV{At: c.At.UnixMilli(), Who: c.Who, Action: string(c.Action), Channel: string(c.Channel)}
			if got != want {
				t.Fatalf("read back %+v, want %+v", got, want)
			}
		})
	}
}

// TestHistoryEntryForm pins the stored form doc.go shows.
func TestHistoryEntryForm(t *testing.T) {
	av, err := entryValue(reservations.Change{Who: "anne.martin@exemple.fr", At: time.UnixMilli(1787209200000),
		Channel: reservations.ChannelLongPeriod, Action: reservations.ActionBook})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := av.(*types.AttributeValueMemberS); !ok || got.Value != "blmt167og0 anne.martin@exemple.fr" {
		t.Fatalf("stored as %v", av)
	}
}

// TestHistoryEntryLettersAreDistinct: a letter stands for one action, one for one channel.
func TestHistoryEntryLettersAreDistinct(t *testing.T) {
	for name, codes := range map[string]map[string]byte{"actions": entryCodes.actions, "channels": entryCodes.channels} {
		seen := map[byte]string{}
		for n, l := range codes {
			if other, dup := seen[l]; dup || l == ' ' {
				t.Errorf("%s: %q stands for %s and %s", name, l, other, n)
			}
			seen[l] = n
		}
	}
}

// TestHistoryEntryFormerAndBroken: an entry of the former form (a map, as every child's day
// written before the compact form holds) is read as it was; a string that is not an entry is
// an error, never a change made up.
func TestHistoryEntryFormerAndBroken(t *testing.T) {
	former := &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"t": &types.AttributeValueMemberN{Value: "1787209200000"}, "w": &types.AttributeValueMemberS{Value: "anne.martin@exemple.fr"},
		"a": &types.AttributeValueMemberS{Value: "book"}, "c": &types.AttributeValueMemberS{Value: "long-period"}}}
	var got entryAV
	if err := attributevalue.Unmarshal(former, &got); err != nil {
		t.Fatal(err)
	}
	if want := (entryAV{At: 1787209200000, Who: "anne.martin@exemple.fr", Action: "book", Channel: "long-period"}); got != want {
		t.Fatalf("former entry read as %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "bw", "bwmxyz", "zw1 p@exemple.fr", "bz1 p@exemple.fr", "bw!! p@exemple.fr", "b 1 p"} {
		var e entryAV
		if err := attributevalue.Unmarshal(&types.AttributeValueMemberS{Value: bad}, &e); err == nil {
			t.Errorf("%q read as %+v", bad, e)
		}
	}
}
