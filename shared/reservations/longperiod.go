package reservations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/fault"
)

// MaxLongPeriodDays bounds a long-period request: a school year and a bit.
const MaxLongPeriodDays = 400

// longPeriodWorkers is how many days a long-period request writes at once. Each day is its own
// conditional write on its own item (two children share an item: conditions keep them apart).
const longPeriodWorkers = 32

// Reason says why a day cannot be changed now (a planning cell) or was skipped (a long-period
// request): a stable code API clients switch on.
type Reason string

// The reasons.
const (
	ReasonClosed         Reason = "closed"
	ReasonDeadlinePassed Reason = "deadline-passed"
	ReasonFull           Reason = "full"
	ReasonNotEnrolled    Reason = "not-enrolled"
	ReasonAlreadyBooked  Reason = "already-booked"
	ReasonNotBooked      Reason = "not-booked"
	// ReasonTooManyChanges: the child's day has had MaxChangesPerDay changes already.
	ReasonTooManyChanges Reason = "too-many-changes"
	// ReasonError: the day's write failed (the store answered an error): nothing was changed for
	// it, and asking again may work.
	ReasonError Reason = "error"
	// ReasonNotAttempted: the request ran out of time (its context ended) before reaching the day.
	ReasonNotAttempted Reason = "not-attempted"
)

// French is what parents read for a reason.
func (r Reason) French() string {
	switch r {
	case ReasonClosed:
		return "fermé"
	case ReasonDeadlinePassed:
		return "délai dépassé"
	case ReasonFull:
		return "complet"
	case ReasonNotEnrolled:
		return "enfant non inscrit"
	case ReasonAlreadyBooked:
		return "déjà réservé"
	case ReasonNotBooked:
		return "rien à annuler"
	case ReasonTooManyChanges:
		return "trop de modifications pour cette journée : contactez la mairie"
	case ReasonError:
		return "erreur technique, réessayez"
	case ReasonNotAttempted:
		return "non traité faute de temps, réessayez"
	}
	return string(r)
}

// LongRequest is "Faire une demande sur une longue période": children × activities × days of
// [From, To] falling on Weekdays, to book or to cancel.
type LongRequest struct {
	Children   []string
	Activities []calendar.Activity
	From, To   date.Date
	Weekdays   []time.Weekday
	Action     Action
}

// LongItem is one (child, day, activity) of a long-period request; Reason and Detail say why
// it was skipped.
type LongItem struct {
	Child    family.Child
	Date     date.Date
	Activity calendar.Activity
	Reason   Reason // why it was skipped, empty when applied
	Detail   string // French explanation (the holiday's name for a closed day…)
}

// LongResult is what a long-period request did, or would do (preview).
type LongResult struct {
	Request LongRequest
	Applied []LongItem
	Skipped []LongItem
	// Err is the first error met while writing (its days are skipped as ReasonError or
	// ReasonNotAttempted, or, for a failed write creating a new day, booked again one by one), for
	// the logs; nil when every write answered.
	Err error
}

// SkippedBy counts the skipped days by reason.
func (r LongResult) SkippedBy() map[Reason]int {
	m := map[Reason]int{}
	for _, it := range r.Skipped {
		m[it.Reason]++
	}
	return m
}

// MaxLongPeriodChildren bounds the children of a long-period request: more than any family has.
const MaxLongPeriodChildren = 20

// normalised returns q with its children, activities and weekdays each sorted and without
// duplicates, so that no (child, activity, day) is planned — and written — twice.
func (q LongRequest) normalised() LongRequest {
	q.Children = slices.Compact(slices.Sorted(slices.Values(q.Children)))
	q.Activities = slices.Compact(slices.Sorted(slices.Values(q.Activities)))
	q.Weekdays = slices.Compact(slices.Sorted(slices.Values(q.Weekdays)))
	return q
}

// Validate checks a long-period request's shape (not yet its children): an invalid-fields
// refusal naming each wrong field by its JSON name (children, activities, from, to, weekdays,
// action). Lists are bounded before duplicates are removed, so a body of repeated values is
// refused rather than processed.
func (q LongRequest) Validate() error {
	var f fault.Fields
	switch {
	case len(q.Children) == 0:
		f.Add("children", "Choisissez au moins un enfant.")
	case len(q.Children) > MaxLongPeriodChildren:
		f.Add("children", fmt.Sprintf("Une demande porte sur %d enfants au plus.", MaxLongPeriodChildren))
	}
	switch all := len(calendar.Activities()); {
	case len(q.Activities) == 0:
		f.Add("activities", "Choisissez au moins une activité.")
	case len(q.Activities) > all:
		f.Add("activities", fmt.Sprintf("Une demande porte sur %d activités au plus.", all))
	case slices.ContainsFunc(q.Activities, func(a calendar.Activity) bool { return !a.Valid() }):
		f.Add("activities", "L'une des activités demandées n'existe pas.")
	}
	if q.From.IsZero() {
		f.Add("from", "Indiquez la date de début (AAAA-MM-JJ).")
	}
	if q.To.IsZero() {
		f.Add("to", "Indiquez la date de fin (AAAA-MM-JJ).")
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if err := CheckRange(q.From, q.To, MaxLongPeriodDays); err != nil {
			e, _ := fault.As(err)
			f.Add("to", e.Detail)
		}
	}
	switch {
	case len(q.Weekdays) == 0:
		f.Add("weekdays", "Choisissez au moins un jour de la semaine.")
	case len(q.Weekdays) > 7:
		f.Add("weekdays", "Une semaine compte 7 jours : indiquez chacun au plus une fois.")
	case slices.ContainsFunc(q.Weekdays, func(w time.Weekday) bool { return w < time.Sunday || w > time.Saturday }):
		f.Add("weekdays", "Les jours de la semaine vont de 1 (lundi) à 7 (dimanche).")
	}
	if q.Action != ActionBook && q.Action != ActionCancel {
		f.Add("action", `L'action doit être « book » (réserver) ou « cancel » (annuler).`)
	}
	return f.Err()
}

// ParseLongRequest reads a long-period request as the API sends it (ISO weekdays: 1 Monday … 7
// Sunday) and validates it, reporting every field's error at once in one invalid-fields
// refusal: a value that cannot be read (a date, an activity, a weekday, an action) and a value
// the rules refuse (an empty list, a reversed period) alike.
func ParseLongRequest(children, activities []string, from, to string, weekdays []int, action string) (LongRequest, error) {
	var f fault.Fields
	q := LongRequest{Children: children}
	var err error
	if q.From, err = date.Parse(from); err != nil {
		f.Add("from", "La date de début doit être au format AAAA-MM-JJ, par exemple 2026-12-07.")
	}
	if q.To, err = date.Parse(to); err != nil {
		f.Add("to", "La date de fin doit être au format AAAA-MM-JJ, par exemple 2026-12-18.")
	}
	for _, s := range activities {
		a, err := calendar.ParseActivity(s)
		if err != nil {
			f.Add("activities", "L'une des activités demandées n'existe pas.")
			q.Activities = nil
			break
		}
		q.Activities = append(q.Activities, a)
	}
	for _, n := range weekdays {
		if n < 1 || n > 7 {
			f.Add("weekdays", "Les jours de la semaine vont de 1 (lundi) à 7 (dimanche).")
			q.Weekdays = nil
			break
		}
		q.Weekdays = append(q.Weekdays, time.Weekday(n%7))
	}
	if q.Action, err = ParseAction(action); err != nil {
		f.Add("action", `L'action doit être « book » (réserver) ou « cancel » (annuler).`)
	}
	if err := q.Validate(); err != nil {
		e, _ := fault.As(err)
		for _, fe := range e.Fields {
			if !f.Has(fe.Field) {
				f.Add(fe.Field, fe.Detail)
			}
		}
	}
	return q, f.Err()
}

// PreviewLong says what a long-period request would do now, without changing anything.
func (s *Service) PreviewLong(ctx context.Context, who Actor, q LongRequest) (LongResult, error) {
	res, _, err := s.planLong(ctx, who, q)
	return res, err
}

// ApplyLong applies a long-period request: each day on its own, under its own deadline read
// from the server clock at the moment of its write. A day whose write fails is skipped
// (ReasonError) and the others go on; once ctx ends, the days not reached yet are skipped
// (ReasonNotAttempted). Either way the result says what was done, with the first error in Err:
// each applied day is already stored, so the request as a whole does not fail. The parent then
// gets the summary by e-mail (Options.Notifier).
func (s *Service) ApplyLong(ctx context.Context, who Actor, q LongRequest) (LongResult, error) {
	res, err := s.applyLong(ctx, who, q)
	if err != nil {
		return LongResult{}, err
	}
	own, err := s.ownCutoffsOf(ctx, who, res.Request)
	if err != nil {
		// The days are stored: the e-mail states the commune's rule alone rather than not going.
		slog.ErrorContext(ctx, "long period: cutoffs for the summary", "err", err.Error())
	}
	s.notifyLong(ctx, who, res, own)
	return res, nil
}

// ownCutoffsOf returns the own cutoffs of the request's activities at the family's sites.
func (s *Service) ownCutoffsOf(ctx context.Context, who Actor, q LongRequest) ([]ActivityPolicy, error) {
	h, err := s.household(ctx, who)
	if err != nil {
		return nil, err
	}
	own, err := s.OwnCutoffs(ctx, h)
	return slices.DeleteFunc(own, func(o ActivityPolicy) bool { return !slices.Contains(q.Activities, o.Activity) }), err
}

func (s *Service) applyLong(ctx context.Context, who Actor, q LongRequest) (LongResult, error) {
	res, todo, err := s.planLong(ctx, who, q)
	if err != nil {
		return LongResult{}, err
	}
	who.Channel = ChannelLongPeriod
	results := make([]done, len(todo))
	// The children of one slot share its seat counter: one worker books them in turn, so they do
	// not race for it, and a day not stored yet is created with all their seats in one write.
	var slots [][]int
	bySlot := map[Slot]int{}
	for i, c := range todo {
		g, ok := bySlot[c.slot]
		if !ok {
			g = len(slots)
			bySlot[c.slot] = g
			slots = append(slots, nil)
		}
		slots[g] = append(slots[g], i)
	}
	var (
		wg      sync.WaitGroup
		bulkMu  sync.Mutex
		bulkErr error // the first failed bulk write: its days were then booked one by one
	)
	next := make(chan []int)
	for range min(longPeriodWorkers, len(slots)) {
		wg.Go(func() {
			for group := range next {
				if ctx.Err() != nil {
					continue // results stay "not attempted"
				}
				if q.Action == ActionBook && todo[group[0]].newDay {
					booked, err := s.bookNewDay(ctx, who, todo, group, results)
					if err != nil {
						bulkMu.Lock()
						if bulkErr == nil {
							bulkErr = err
						}
						bulkMu.Unlock()
					}
					if booked {
						continue
					}
				}
				for _, i := range group {
					if ctx.Err() != nil {
						break
					}
					c := todo[i]
					now := s.clock.Now()
					if !now.Before(c.deadline) {
						results[i] = done{i: i, err: errDeadline, attempted: true}
						continue
					}
					out, err := s.apply(ctx, who, q.Action, c, now)
					results[i] = done{i: i, out: out, err: err, attempted: true}
				}
			}
		})
	}
	for _, g := range slots {
		if ctx.Err() != nil {
			break
		}
		next <- g
	}
	close(next)
	wg.Wait()
	res.Applied = res.Applied[:0]
	res.Err = bulkErr
	for i, d := range results {
		c := todo[i]
		it := LongItem{Child: c.child, Date: c.slot.Day, Activity: c.slot.Activity}
		switch {
		case !d.attempted:
			it.Reason, it.Detail = ReasonNotAttempted, ReasonNotAttempted.French()
			res.Skipped = append(res.Skipped, it)
			if res.Err == nil {
				res.Err = fmt.Errorf("long period stopped: %w", context.Cause(ctx))
			}
		case errors.Is(d.err, errDeadline):
			it.Reason, it.Detail = ReasonDeadlinePassed, ReasonDeadlinePassed.French()
			res.Skipped = append(res.Skipped, it)
		case d.err != nil:
			it.Reason, it.Detail = ReasonError, ReasonError.French()
			res.Skipped = append(res.Skipped, it)
			if res.Err == nil {
				res.Err = d.err
			}
		case d.out == Full:
			it.Reason, it.Detail = ReasonFull, ReasonFull.French()
			res.Skipped = append(res.Skipped, it)
		case d.out == TooManyChanges:
			it.Reason, it.Detail = ReasonTooManyChanges, ReasonTooManyChanges.French()
			res.Skipped = append(res.Skipped, it)
		case d.out == Unchanged && q.Action == ActionBook:
			it.Reason, it.Detail = ReasonAlreadyBooked, ReasonAlreadyBooked.French()
			res.Skipped = append(res.Skipped, it)
		case d.out == Unchanged:
			it.Reason, it.Detail = ReasonNotBooked, ReasonNotBooked.French()
			res.Skipped = append(res.Skipped, it)
		default:
			res.Applied = append(res.Applied, it)
		}
	}
	sortItems(res.Applied)
	sortItems(res.Skipped)
	return res, nil
}

var errDeadline = errors.New("deadline passed during the request")

type done struct {
	i         int
	out       Outcome
	err       error
	attempted bool // false: the request ended before this day was tried
}

// bookNewDay books every child of group (todo indices of one slot not stored yet) with the one
// write that creates the slot's counter holding their seats (then each child's own); false when
// that did not apply (the caller books each).
// A failed write is logged and returned, for the result's Err, and the caller books each all the
// same. When that write did succeed but its answer was lost (a timeout after DynamoDB applied
// it), the one-by-one fallback finds the seats taken and reports those days "already booked"
// (ReasonAlreadyBooked) although this very request booked them: the planning is right, only the
// wording is off, and Err tells the logs why.
func (s *Service) bookNewDay(ctx context.Context, who Actor, todo []check, group []int, results []done) (bool, error) {
	now := s.clock.Now()
	c0 := todo[group[0]]
	if !now.Before(c0.deadline) {
		return false, nil
	}
	cs := make([]Change, 0, len(group))
	for _, i := range group {
		cs = append(cs, Change{Who: who.Email, At: now, Channel: who.Channel, Action: ActionBook, ChildID: todo[i].child.ID})
	}
	ok, err := s.repo.BookNewDay(ctx, c0.slot, c0.capacity, cs)
	if err != nil {
		// No request id here: this package knows nothing of HTTP; the handler's request line
		// carries it. No child or parent either: the slot is enough to find the item.
		slog.ErrorContext(ctx, "long period: new day write failed, booking each child instead", "err", err.Error(),
			"activity", string(c0.slot.Activity), "site", c0.slot.Site, "day", c0.slot.Day.String(), "children", len(group))
		return false, fmt.Errorf("book new day %s %s %s: %w", c0.slot.Activity, c0.slot.Site, c0.slot.Day, err)
	}
	if !ok {
		return false, nil
	}
	for _, i := range group {
		results[i] = done{i: i, out: Applied, attempted: true}
	}
	return true, nil
}

// planLong sorts every (child, activity, day) of the request into what would be applied
// (returned as checks) and what is skipped, reading each (activity, site) month once.
func (s *Service) planLong(ctx context.Context, who Actor, q LongRequest) (LongResult, []check, error) {
	if err := q.Validate(); err != nil {
		return LongResult{}, nil, err
	}
	q = q.normalised()
	h, rs, err := s.householdAndRules(ctx, who, true)
	if err != nil {
		return LongResult{}, nil, err
	}
	children := make([]family.Child, 0, len(q.Children))
	for _, id := range q.Children {
		c, ok := h.Child(id)
		if !ok {
			return LongResult{}, nil, ErrChildNotFound
		}
		children = append(children, c)
	}
	days, err := s.stored(ctx, h, children, q.From, q.To)
	if err != nil {
		return LongResult{}, nil, err
	}
	now := s.clock.Now()
	res := LongResult{Request: q}
	var todo []check
	for d := range date.Range(q.From, q.To) {
		if !slices.Contains(q.Weekdays, d.Weekday()) {
			continue
		}
		for _, child := range children {
			for _, a := range q.Activities {
				it := LongItem{Child: child, Date: d, Activity: a}
				c, err := s.validate(h, rs, child.ID, d, a, now)
				if err != nil {
					it.Reason = skipReason(err)
					if it.Reason == "" {
						return LongResult{}, nil, err
					}
					it.Detail = it.Reason.French()
					if it.Reason == ReasonClosed {
						e, _ := h.EnrolmentOn(child.ID, a, d)
						it.Detail = rs.cal.Explain(a, e.Site, d)
					}
					res.Skipped = append(res.Skipped, it)
					continue
				}
				day, stored := days[slotKey{a, c.slot.Site, d}]
				c.newDay = !stored
				_, booked := day.Bookings[child.ID]
				switch {
				case q.Action == ActionBook && booked:
					it.Reason = ReasonAlreadyBooked
				case q.Action == ActionCancel && !booked:
					it.Reason = ReasonNotBooked
				case q.Action == ActionBook && day.Changes[child.ID] >= MaxChangesPerDay:
					// Cancellations are never capped: a booked child can always be freed.
					it.Reason = ReasonTooManyChanges
				case q.Action == ActionBook && c.capacity > 0 && day.Booked >= c.capacity:
					it.Reason = ReasonFull
				}
				if it.Reason != "" {
					it.Detail = it.Reason.French()
					res.Skipped = append(res.Skipped, it)
					continue
				}
				res.Applied = append(res.Applied, it)
				todo = append(todo, c)
			}
		}
	}
	return res, todo, nil
}

// skipReason maps a refusal of validate to a skip reason ("" for anything else).
func skipReason(err error) Reason {
	switch {
	case errors.Is(err, ErrClosed):
		return ReasonClosed
	case errors.Is(err, ErrDeadlinePassed):
		return ReasonDeadlinePassed
	case errors.Is(err, ErrNotEnrolled):
		return ReasonNotEnrolled
	}
	return ""
}

func sortItems(items []LongItem) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Date != b.Date {
			return a.Date.Before(b.Date)
		}
		if a.Child.ID != b.Child.ID {
			return a.Child.ID < b.Child.ID
		}
		return a.Activity < b.Activity
	})
}
