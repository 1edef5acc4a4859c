package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/fr"
	"github.com/preau/preau/shared/reservations"
)

// icsOf writes a family's planning as an iCalendar (RFC 5545) document: one all-day event per
// booked day, and one event per upcoming deadline with an alarm two hours before it. Every UID
// is globally unique: a booked day's names its child (child ids are unique), a deadline's names
// the family through a hash of its id (two families sharing a deadline get two events of
// different content, and the family id itself is never shown).
func icsOf(fp reservations.FamilyPlanning, familyID, commune, baseURL string) []byte {
	var b bytes.Buffer
	now := fp.Now
	sum := sha256.Sum256([]byte("feed-family\x00" + familyID))
	familyKey := hex.EncodeToString(sum[:8])
	line := func(s string) { writeFolded(&b, s) }
	stamp := now.UTC().Format("20060102T150405Z")
	host := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	planning := strings.TrimRight(baseURL, "/") + "/espace-famille/planning"

	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Préau//Portail famille " + escape(commune) + "//FR")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + escape("Portail famille – "+commune))
	line("X-WR-TIMEZONE:Europe/Paris")
	line("REFRESH-INTERVAL;VALUE=DURATION:PT6H")

	type pending struct {
		day   date.Date
		items []string
	}
	deadlines := map[time.Time]*pending{}
	for _, c := range fp.Children {
		for _, d := range c.Days {
			for _, cell := range d.Cells {
				if cell.Booked {
					line("BEGIN:VEVENT")
					line("UID:" + d.Date.String() + "-" + string(cell.Activity) + "-" + c.Child.ID + "@" + host)
					line("DTSTAMP:" + stamp)
					line("DTSTART;VALUE=DATE:" + compact(d.Date))
					line("DTEND;VALUE=DATE:" + compact(d.Date.AddDays(1)))
					line("SUMMARY:" + escape(c.Child.FirstName+" : "+cell.Activity.Label()))
					desc := "Réservé."
					if cell.Changeable {
						desc += " Annulable jusqu'au " + fr.DeadlineText(cell.Deadline) + "."
					}
					line("DESCRIPTION:" + escape(desc+"\n"+planning))
					line("TRANSP:TRANSPARENT")
					line("END:VEVENT")
				}
				if cell.Changeable && !cell.Booked && cell.Deadline.After(now) {
					p := deadlines[cell.Deadline]
					if p == nil {
						p = &pending{day: d.Date}
						deadlines[cell.Deadline] = p
					}
					p.items = append(p.items, c.Child.FirstName+" : "+cell.Activity.Label()+" du "+fr.LongDate(d.Date))
				}
			}
		}
	}
	var instants []time.Time
	for t := range deadlines {
		instants = append(instants, t)
	}
	sort.Slice(instants, func(i, j int) bool { return instants[i].Before(instants[j]) })
	for _, t := range instants {
		p := deadlines[t]
		line("BEGIN:VEVENT")
		line("UID:deadline-" + t.UTC().Format("20060102T150405Z") + "-" + familyKey + "@" + host)
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + t.Add(-30*time.Minute).UTC().Format("20060102T150405Z"))
		line("DTEND:" + t.UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + escape("Dernier délai pour réserver le "+fr.LongDate(p.day)))
		line("DESCRIPTION:" + escape("Non réservé à ce jour :\n"+strings.Join(p.items, "\n")+"\n"+planning))
		line("BEGIN:VALARM")
		line("ACTION:DISPLAY")
		line("DESCRIPTION:" + escape("Réservations du "+fr.LongDate(p.day)+" : dernier délai à "+fr.Clock(t)))
		line("TRIGGER:-PT2H")
		line("END:VALARM")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.Bytes()
}

func compact(d date.Date) string { return fmt.Sprintf("%04d%02d%02d", d.Year(), d.Month(), d.Day()) }

// escape escapes a TEXT value (RFC 5545 §3.3.11). A line break becomes the escaped "\n"; every
// other control character (a lone CR, a tab, DEL, the C1 controls) and the Unicode line and
// paragraph separators are dropped, so no value can end its content line or start another:
// the only line breaks of the document are the ones writeFolded adds.
func escape(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n':
			b.WriteString(`\n`)
		case unicode.IsControl(r), r == '\u2028', r == '\u2029':
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeFolded writes a content line folded at 75 octets, never inside a UTF-8 character, each
// physical line ending with CRLF (RFC 5545 §3.1).
func writeFolded(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
