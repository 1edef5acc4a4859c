package store

import (
	"cmp"
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

	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
)

// Billing items (owner: shared/billing). Each invariant is one conditional write on one item:
//
//	run        BILLRUN#<yyyy-mm> / RUN            created once (attribute_not_exists): the month's
//	                                              families in number order and the invoices' dates
//	counter    INVOICESEQ#<yyyy> / COUNTER        last number of the year and claims (month → first
//	                                              number), advanced and claimed in one write
//	invoice    FAMILY#<familyId> / INVOICE#<no>   created once; payments (idOp → payment) each added
//	                                              once, the first settling it (paidIdOp)
//	attempt    PAYMENT#<idOp> / PAYMENT           created once; GSI1 PAYPENDING / <createdAt>#<idOp>
//	                                              while pending (sparse: removed when resolved)
//	overpaid   OVERPAYMENT / <at>#<idOp>          for the town hall to refund
//	unbilled   UNBILLED#<yyyy-mm> / <day>#<activity>#<site>#<childId or *>   set by the back-office
type runItem struct {
	PK, SK   string
	Month    string   `dynamodbav:"month"`
	Families []string `dynamodbav:"families"`
	IssuedOn string   `dynamodbav:"issuedOn"`
	DueOn    string   `dynamodbav:"dueOn"`
}

type counterItem struct {
	PK, SK string
	Last   int            `dynamodbav:"last"`
	Claims map[string]int `dynamodbav:"claims"`
}

// invoiceItem is an invoice. A family keeps ten a year for ten years: its number, family and
// month are its keys' (SK INVOICE#<number>, PK FAMILY#<familyId>, GSI1PK INVOICES#<yyyy-mm>)
// and are not stored again, and its lines have short names (lineAV). Invoices written before
// hold number, familyId and month, and lines with long names: they are read as they are.
type invoiceItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string               `dynamodbav:",omitempty"`         // INVOICES#<yyyy-mm> / <number>: the month's invoices
	Number         string               `dynamodbav:"number,omitempty"`   // former invoices only
	FamilyID       string               `dynamodbav:"familyId,omitempty"` // former invoices only
	FamilyName     string               `dynamodbav:"familyName"`
	Month          string               `dynamodbav:"month,omitempty"` // former invoices only
	Lines          []lineAV             `dynamodbav:"lines"`
	TotalCents     int64                `dynamodbav:"totalCents"`
	IssuedOn       string               `dynamodbav:"issuedOn"`
	DueOn          string               `dynamodbav:"dueOn"`
	Payments       map[string]paymentAV `dynamodbav:"payments"`
	PaidIDOp       string               `dynamodbav:"paidIdOp,omitempty"`
	NotifiedAt     string               `dynamodbav:"notifiedAt,omitempty"`
	LastIDOp       string               `dynamodbav:"lastIdOp,omitempty"`
}

// lineAV is an invoice line, with one- or two-letter names.
type lineAV struct {
	ChildID     string `dynamodbav:"c"`
	ChildName   string `dynamodbav:"n"`
	Activity    string `dynamodbav:"a"`
	Site        string `dynamodbav:"s"`
	SiteName    string `dynamodbav:"sn"`
	Days        int    `dynamodbav:"d"`
	UnitCents   int64  `dynamodbav:"u"`
	AmountCents int64  `dynamodbav:"t"`
}

// formerLineAV is an invoice line as written before lineAV's short names.
type formerLineAV struct {
	ChildID     string `dynamodbav:"childId"`
	ChildName   string `dynamodbav:"childName"`
	Activity    string `dynamodbav:"activity"`
	Site        string `dynamodbav:"site"`
	SiteName    string `dynamodbav:"siteName"`
	Days        int    `dynamodbav:"days"`
	UnitCents   int64  `dynamodbav:"unitCents"`
	AmountCents int64  `dynamodbav:"amountCents"`
}

// UnmarshalDynamoDBAttributeValue reads a line of either form.
func (l *lineAV) UnmarshalDynamoDBAttributeValue(av types.AttributeValue) error {
	m, ok := av.(*types.AttributeValueMemberM)
	if !ok {
		return fmt.Errorf("invoice line: unexpected %T", av)
	}
	if _, former := m.Value["childId"]; former {
		var f formerLineAV
		if err := attributevalue.UnmarshalMap(m.Value, &f); err != nil {
			return err
		}
		*l = lineAV(f)
		return nil
	}
	type short lineAV // without this method
	var v short
	if err := attributevalue.UnmarshalMap(m.Value, &v); err != nil {
		return err
	}
	*l = lineAV(v)
	return nil
}

type paymentAV struct {
	AmountCents int64  `dynamodbav:"amountCents"`
	At          string `dynamodbav:"at"`
	Method      string `dynamodbav:"method,omitempty"`    // counter payments: especes, cheque, cesu
	Reference   string `dynamodbav:"reference,omitempty"` // counter payments
	By          string `dynamodbav:"by,omitempty"`        // counter payments: the staff member
}

type attemptItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string `dynamodbav:",omitempty"`
	IDOp           string `dynamodbav:"idOp"`
	FamilyID       string `dynamodbav:"familyId"`
	Number         string `dynamodbav:"number"`
	NumCli         string `dynamodbav:"numcli"`
	Exer           int    `dynamodbav:"exer"`
	AmountCents    int64  `dynamodbav:"amountCents"`
	CreatedAt      string `dynamodbav:"createdAt"`
	State          string `dynamodbav:"state"`
	ResolvedAt     string `dynamodbav:"resolvedAt,omitempty"`
}

type overpaymentItem struct {
	PK, SK      string
	IDOp        string `dynamodbav:"idOp"`
	FamilyID    string `dynamodbav:"familyId"`
	Number      string `dynamodbav:"number"`
	AmountCents int64  `dynamodbav:"amountCents"`
	At          string `dynamodbav:"at"`
	RefundedAt  string `dynamodbav:"refundedAt,omitempty"`
	RefundedBy  string `dynamodbav:"refundedBy,omitempty"`
	RefundNote  string `dynamodbav:"refundNote,omitempty"`
}

type unbilledItem struct {
	PK, SK   string
	Day      string `dynamodbav:"day"`
	Activity string `dynamodbav:"activity"`
	Site     string `dynamodbav:"site"`
	ChildID  string `dynamodbav:"childId,omitempty"`
	Reason   string `dynamodbav:"reason"`
}

const stamp = time.RFC3339Nano

// OpenRun records r unless the month has a run, and returns the recorded one (billing.Ledger).
func (s *Store) OpenRun(ctx context.Context, r billing.Run) (billing.Run, error) {
	it := runItem{PK: runPK(r.Month), SK: skRun, Month: r.Month.MonthKey(), Families: r.Families,
		IssuedOn: r.IssuedOn.String(), DueOn: r.DueOn.String()}
	if it.Families == nil {
		it.Families = []string{}
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return billing.Run{}, fmt.Errorf("encode run: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.tables.Data, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err == nil {
		return r, nil
	}
	if !isConditionFailed(err) {
		return billing.Run{}, fmt.Errorf("open run: %w", err)
	}
	var got runItem
	if err := s.get(ctx, s.tables.Data, it.PK, skRun, &got); err != nil {
		return billing.Run{}, fmt.Errorf("read run: %w", err)
	}
	out := billing.Run{Month: r.Month, Families: got.Families}
	if out.IssuedOn, err = date.Parse(got.IssuedOn); err != nil {
		return billing.Run{}, err
	}
	if out.DueOn, err = date.Parse(got.DueOn); err != nil {
		return billing.Run{}, err
	}
	return out, nil
}

// maxClaimAttempts bounds the retries of a claim that lost a race for the counter to another
// month's claim (each retry reads the counter the race left).
const maxClaimAttempts = 20

// ClaimNumbers reserves count numbers of year's sequence for month (billing.Ledger). One
// conditional write on the year's counter both advances it and records the month's claim, so
// a month claims once: a retry, or a second run racing the first, reads the recorded claim.
func (s *Store) ClaimNumbers(ctx context.Context, year int, month date.Date, count int) (int, error) {
	pk := counterPK(year)
	m := month.MonthKey()
	for range maxClaimAttempts {
		var c counterItem
		err := s.get(ctx, s.tables.Data, pk, skCounter, &c)
		found := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("read counter: %w", err)
		}
		if first, ok := c.Claims[m]; ok {
			return first, nil
		}
		first := c.Last + 1
		var werr error
		if !found {
			av, err := attributevalue.MarshalMap(counterItem{PK: pk, SK: skCounter, Last: c.Last + count, Claims: map[string]int{m: first}})
			if err != nil {
				return 0, fmt.Errorf("encode counter: %w", err)
			}
			_, werr = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.tables.Data, Item: av,
				ConditionExpression: aws.String("attribute_not_exists(PK)")})
		} else {
			_, werr = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:                &s.tables.Data,
				Key:                      key(pk, skCounter),
				UpdateExpression:         aws.String("SET #last = :new, #claims.#m = :first"),
				ConditionExpression:      aws.String("#last = :last AND attribute_not_exists(#claims.#m)"),
				ExpressionAttributeNames: map[string]string{"#last": "last", "#claims": "claims", "#m": m},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":new": avN(c.Last + count), ":first": avN(first), ":last": avN(c.Last),
				},
			})
		}
		if werr == nil {
			return first, nil
		}
		if !isConditionFailed(werr) {
			return 0, fmt.Errorf("claim numbers: %w", werr)
		}
	}
	return 0, errors.New("claim numbers: too much contention on the counter")
}

// PutInvoice stores inv unless its family has an invoice of that number (billing.Ledger).
func (s *Store) PutInvoice(ctx context.Context, inv billing.Invoice) (bool, error) {
	it := invoiceItem{PK: familyPK(inv.FamilyID), SK: invoiceSK(inv.Number), GSI1PK: monthInvoicesGSI1PK(inv.Month), GSI1SK: inv.Number,
		FamilyName: inv.FamilyName, TotalCents: inv.TotalCents,
		IssuedOn: inv.IssuedOn.String(), DueOn: inv.DueOn.String(), Payments: map[string]paymentAV{}, Lines: []lineAV{}}
	for _, l := range inv.Lines {
		it.Lines = append(it.Lines, lineAV{ChildID: l.ChildID, ChildName: l.ChildName, Activity: string(l.Activity), Site: l.Site,
			SiteName: l.SiteName, Days: l.Days, UnitCents: l.UnitCents, AmountCents: l.AmountCents})
	}
	added, err := s.putNew(ctx, s.tables.Data, it)
	if err != nil {
		return false, fmt.Errorf("put invoice: %w", err)
	}
	return added, nil
}

// ClaimNotice marks the invoice notified unless it already is (billing.Ledger).
func (s *Store) ClaimNotice(ctx context.Context, familyID, number string, at time.Time) (bool, error) {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.tables.Data,
		Key:                       key(familyPK(familyID), invoiceSK(number)),
		UpdateExpression:          aws.String("SET notifiedAt = :at"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(notifiedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": avS(at.UTC().Format(stamp))},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim notice: %w", err)
	}
	return true, nil
}

// ReleaseNotice forgets a notice whose e-mail failed (billing.Ledger).
func (s *Store) ReleaseNotice(ctx context.Context, familyID, number string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.tables.Data,
		Key:                 key(familyPK(familyID), invoiceSK(number)),
		UpdateExpression:    aws.String("REMOVE notifiedAt"),
		ConditionExpression: aws.String("attribute_exists(PK)"),
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("release notice: %w", err)
	}
	return nil
}

// Invoices lists a family's invoices, newest first: one Query (billing.InvoiceReader).
func (s *Store) Invoices(ctx context.Context, familyID string) ([]billing.Invoice, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, familyPK(familyID), "INVOICE#")
	if err != nil {
		return nil, fmt.Errorf("invoices: %w", err)
	}
	out, err := decodeInvoices(items)
	slices.Reverse(out) // numbers grow with time
	return out, err
}

// Invoice reads one of the family's invoices; ErrInvoiceNotFound when the family has none of
// that number (billing.InvoiceReader).
func (s *Store) Invoice(ctx context.Context, familyID, number string) (billing.Invoice, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.tables.Data,
		Key: key(familyPK(familyID), invoiceSK(number)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return billing.Invoice{}, fmt.Errorf("get invoice: %w", err)
	}
	if res.Item == nil {
		return billing.Invoice{}, billing.ErrInvoiceNotFound
	}
	return decodeInvoice(res.Item)
}

func decodeInvoices(items []map[string]types.AttributeValue) ([]billing.Invoice, error) {
	return decodeItems(items, decodeInvoice)
}

func decodeInvoice(av map[string]types.AttributeValue) (billing.Invoice, error) {
	var it invoiceItem
	if err := attributevalue.UnmarshalMap(av, &it); err != nil {
		return billing.Invoice{}, fmt.Errorf("decode invoice: %w", err)
	}
	return it.invoice()
}

func (it invoiceItem) invoice() (billing.Invoice, error) {
	// An invoice's number, family and month are its keys' (a former invoice also holds them).
	familyID, number, month := invoiceKeysOf(it.PK, it.SK, it.GSI1PK)
	inv := billing.Invoice{Number: cmp.Or(it.Number, number), FamilyID: cmp.Or(it.FamilyID, familyID), FamilyName: it.FamilyName,
		TotalCents: it.TotalCents, LastIDOp: it.LastIDOp}
	var err error
	if inv.Month, err = date.Parse(cmp.Or(it.Month, month) + "-01"); err != nil {
		return inv, fmt.Errorf("invoice month: %w", err)
	}
	if inv.IssuedOn, err = date.Parse(it.IssuedOn); err != nil {
		return inv, fmt.Errorf("invoice issue date: %w", err)
	}
	if inv.DueOn, err = date.Parse(it.DueOn); err != nil {
		return inv, fmt.Errorf("invoice due date: %w", err)
	}
	if it.NotifiedAt != "" {
		inv.NotifiedAt, _ = time.Parse(stamp, it.NotifiedAt)
	}
	for _, l := range it.Lines {
		inv.Lines = append(inv.Lines, billing.Line{ChildID: l.ChildID, ChildName: l.ChildName, Activity: calendar.Activity(l.Activity),
			Site: l.Site, SiteName: l.SiteName, Days: l.Days, UnitCents: l.UnitCents, AmountCents: l.AmountCents})
	}
	for id, p := range it.Payments {
		at, _ := time.Parse(stamp, p.At)
		inv.Payments = append(inv.Payments, billing.Payment{IDOp: id, AmountCents: p.AmountCents, At: at,
			Method: billing.Method(p.Method), Reference: p.Reference, RecordedBy: p.By})
	}
	// The settling payment first, then the others (overpayments) by time.
	slices.SortFunc(inv.Payments, func(a, b billing.Payment) int {
		switch {
		case a.IDOp == it.PaidIDOp:
			return -1
		case b.IDOp == it.PaidIDOp:
			return 1
		}
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.IDOp, b.IDOp)
	})
	return inv, nil
}

// PutAttempt stores a new payment attempt, pending in GSI1; an idOp is stored once
// (billing.Payments).
func (s *Store) PutAttempt(ctx context.Context, a billing.Attempt) error {
	it := attemptItem{PK: attemptPK(a.IDOp), SK: skPayment, IDOp: a.IDOp, FamilyID: a.FamilyID, Number: a.Number,
		NumCli: a.NumCli, Exer: a.Exer, AmountCents: a.AmountCents, CreatedAt: a.CreatedAt.UTC().Format(stamp), State: string(a.State)}
	if a.State == billing.AttemptPending {
		it.GSI1PK, it.GSI1SK = gsiPending, pendingGSI1SK(a.CreatedAt, a.IDOp)
	}
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		return fmt.Errorf("encode attempt: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.tables.Data, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("put attempt: %w", err)
	}
	return nil
}

// Attempt reads the attempt of idOp; billing.ErrUnknownAttempt when there is none.
func (s *Store) Attempt(ctx context.Context, idOp string) (billing.Attempt, error) {
	var it attemptItem
	err := s.get(ctx, s.tables.Data, attemptPK(idOp), skPayment, &it)
	if errors.Is(err, ErrNotFound) {
		return billing.Attempt{}, billing.ErrUnknownAttempt
	}
	if err != nil {
		return billing.Attempt{}, err
	}
	return it.attempt(), nil
}

func (it attemptItem) attempt() billing.Attempt {
	at, _ := time.Parse(stamp, it.CreatedAt)
	return billing.Attempt{IDOp: it.IDOp, FamilyID: it.FamilyID, Number: it.Number, NumCli: it.NumCli, Exer: it.Exer,
		AmountCents: it.AmountCents, CreatedAt: at, State: billing.AttemptState(it.State)}
}

// ResolveAttempt gives a pending attempt its final state and takes it out of GSI1; a final
// state is never changed (billing.Payments).
func (s *Store) ResolveAttempt(ctx context.Context, idOp string, state billing.AttemptState, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.tables.Data,
		Key:                      key(attemptPK(idOp), skPayment),
		UpdateExpression:         aws.String("SET #st = :st, resolvedAt = :at REMOVE GSI1PK, GSI1SK"),
		ConditionExpression:      aws.String("attribute_exists(PK) AND #st = :pending"),
		ExpressionAttributeNames: map[string]string{"#st": "state"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":st": avS(string(state)), ":at": avS(at.UTC().Format(stamp)), ":pending": avS(string(billing.AttemptPending)),
		},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("resolve attempt: %w", err)
	}
	return nil
}

// PendingAttempts lists the attempts still pending created at or after since: one Query of
// GSI1 (billing.Payments).
func (s *Store) PendingAttempts(ctx context.Context, since time.Time) ([]billing.Attempt, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:              &s.tables.Data,
		IndexName:              aws.String("GSI1"),
		KeyConditionExpression: aws.String("GSI1PK = :pk AND GSI1SK >= :since"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": avS(gsiPending), ":since": avS(since.UTC().Format(pendingLayout)),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("pending attempts: %w", err)
	}
	out := make([]billing.Attempt, 0, len(items))
	for _, av := range items {
		var it attemptItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode attempt: %w", err)
		}
		if it.State == string(billing.AttemptPending) { // the index is eventually consistent
			out = append(out, it.attempt())
		}
	}
	return out, nil
}

// SetLastAttempt remembers the attempt last started on the invoice (billing.Payments).
func (s *Store) SetLastAttempt(ctx context.Context, familyID, number, idOp string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.tables.Data,
		Key:                       key(familyPK(familyID), invoiceSK(number)),
		UpdateExpression:          aws.String("SET lastIdOp = :id"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":id": avS(idOp)},
	})
	if isConditionFailed(err) {
		return billing.ErrInvoiceNotFound
	}
	if err != nil {
		return fmt.Errorf("last attempt: %w", err)
	}
	return nil
}

// ApplyPayment adds p to the invoice's payments in one conditional UpdateItem: the condition
// that p.IDOp is not recorded yet makes replays and concurrent notifications apply it once;
// paidIdOp is set only if absent, so the first payment settles the invoice and any later one
// stays recorded beside it as an overpayment (billing.Payments).
func (s *Store) ApplyPayment(ctx context.Context, familyID, number string, p billing.Payment) (billing.Invoice, bool, error) {
	return s.updateInvoice(ctx, familyID, number, "apply payment", &dynamodb.UpdateItemInput{
		UpdateExpression:         aws.String("SET #p.#id = :p, paidIdOp = if_not_exists(paidIdOp, :id)"),
		ConditionExpression:      aws.String("attribute_exists(#p) AND attribute_not_exists(#p.#id)"),
		ExpressionAttributeNames: map[string]string{"#p": "payments", "#id": p.IDOp},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"amountCents": avN64(p.AmountCents), "at": avS(p.At.UTC().Format(stamp)),
			}},
			":id": avS(p.IDOp),
		},
	})
}

// updateInvoice applies the conditional update in (its table, key and answer set here) to the
// family's invoice number and returns the invoice as written; when the condition fails,
// applied is false and the invoice is read as it stands. what names the write in errors.
func (s *Store) updateInvoice(ctx context.Context, familyID, number, what string, in *dynamodb.UpdateItemInput) (inv billing.Invoice, applied bool, err error) {
	in.TableName = &s.tables.Data
	in.Key = key(familyPK(familyID), invoiceSK(number))
	in.ReturnValues = types.ReturnValueAllNew
	res, err := s.db.UpdateItem(ctx, in)
	if err == nil {
		inv, err := decodeInvoice(res.Attributes)
		return inv, true, err
	}
	if !isConditionFailed(err) {
		return billing.Invoice{}, false, fmt.Errorf("%s: %w", what, err)
	}
	inv, err = s.Invoice(ctx, familyID, number)
	return inv, false, err
}

// RecordOverpayment lists o for the town hall (billing.Payments); writing it again changes
// nothing.
func (s *Store) RecordOverpayment(ctx context.Context, o billing.Overpayment) error {
	return s.put(ctx, s.tables.Data, overpaymentItem{PK: pkOverpayment, SK: overpaymentSK(o.At, o.IDOp), IDOp: o.IDOp,
		FamilyID: o.FamilyID, Number: o.Number, AmountCents: o.AmountCents, At: o.At.UTC().Format(stamp)})
}

// Overpayments lists every recorded overpayment, oldest first: one Query (back-office).
func (s *Store) Overpayments(ctx context.Context) ([]billing.Overpayment, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, pkOverpayment, "")
	if err != nil {
		return nil, fmt.Errorf("overpayments: %w", err)
	}
	return decodeEach(items, "overpayment", func(it overpaymentItem) (billing.Overpayment, error) { return it.overpayment(), nil })
}

func (it overpaymentItem) overpayment() billing.Overpayment {
	at, _ := time.Parse(stamp, it.At)
	o := billing.Overpayment{IDOp: it.IDOp, FamilyID: it.FamilyID, Number: it.Number, AmountCents: it.AmountCents, At: at, Key: it.SK}
	if it.RefundedAt != "" {
		r := billing.Refund{By: it.RefundedBy, Note: it.RefundNote}
		r.At, _ = time.Parse(stamp, it.RefundedAt)
		o.Refunded = &r
	}
	return o
}

// MarkRefunded records the refund of the overpayment whose sort key is key, in one UpdateItem
// conditioned on its existence and on no refund recorded yet (billing.Desk).
func (s *Store) MarkRefunded(ctx context.Context, sk string, r billing.Refund) (billing.Overpayment, error) {
	if sk == "" || len(sk) > 200 {
		return billing.Overpayment{}, billing.ErrOverpaymentNotFound
	}
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.tables.Data,
		Key:                 key(pkOverpayment, sk),
		UpdateExpression:    aws.String("SET refundedAt = :at, refundedBy = :by, refundNote = :note"),
		ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(refundedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at": avS(r.At.UTC().Format(stamp)), ":by": avS(r.By), ":note": avS(r.Note),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		var it overpaymentItem
		if gerr := s.get(ctx, s.tables.Data, pkOverpayment, sk, &it); errors.Is(gerr, ErrNotFound) {
			return billing.Overpayment{}, billing.ErrOverpaymentNotFound
		} else if gerr != nil {
			return billing.Overpayment{}, gerr
		}
		return it.overpayment(), billing.ErrAlreadyRefunded
	}
	if err != nil {
		return billing.Overpayment{}, fmt.Errorf("mark refunded: %w", err)
	}
	var it overpaymentItem
	if err := attributevalue.UnmarshalMap(res.Attributes, &it); err != nil {
		return billing.Overpayment{}, fmt.Errorf("decode overpayment: %w", err)
	}
	return it.overpayment(), nil
}

// MonthInvoices lists every invoice of month, by number: one Query of GSI1
// (INVOICES#<yyyy-mm>), paginated (billing.Desk).
func (s *Store) MonthInvoices(ctx context.Context, month date.Date) ([]billing.Invoice, error) {
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{
		TableName:                 &s.tables.Data,
		IndexName:                 aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": avS(monthInvoicesGSI1PK(month))},
	})
	if err != nil {
		return nil, fmt.Errorf("month invoices: %w", err)
	}
	return decodeInvoices(items)
}

// RecordCounterPayment adds a payment taken at the counter to the invoice in one UpdateItem,
// conditioned on no payment recorded under its key and none settling the invoice: a double
// submit writes once (applied false), and an invoice paid meanwhile is refused with
// billing.ErrAlreadyPaid (billing.Desk).
func (s *Store) RecordCounterPayment(ctx context.Context, familyID, number string, p billing.Payment) (billing.Invoice, bool, error) {
	inv, applied, err := s.updateInvoice(ctx, familyID, number, "counter payment", &dynamodb.UpdateItemInput{
		UpdateExpression:         aws.String("SET #p.#id = :p, paidIdOp = :id"),
		ConditionExpression:      aws.String("attribute_exists(#p) AND attribute_not_exists(#p.#id) AND attribute_not_exists(paidIdOp)"),
		ExpressionAttributeNames: map[string]string{"#p": "payments", "#id": p.IDOp},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":p": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"amountCents": avN64(p.AmountCents), "at": avS(p.At.UTC().Format(stamp)),
				"method": avS(string(p.Method)), "reference": avS(p.Reference), "by": avS(p.RecordedBy),
			}},
			":id": avS(p.IDOp),
		},
	})
	if applied || err != nil {
		return inv, applied, err
	}
	if slices.ContainsFunc(inv.Payments, func(q billing.Payment) bool { return q.IDOp == p.IDOp }) {
		return inv, false, nil
	}
	return inv, false, billing.ErrAlreadyPaid
}

// PutUnbilled marks a day not to be billed, for one child or (ChildID "") every child: the
// back-office sets it for closures and justified absences.
func (s *Store) PutUnbilled(ctx context.Context, u billing.Unbilled) error {
	return s.put(ctx, s.tables.Data, unbilledItem{PK: unbilledPK(u.Day), SK: unbilledSK(u.Day, u.Activity, u.Site, u.ChildID),
		Day: u.Day.String(), Activity: string(u.Activity), Site: u.Site, ChildID: u.ChildID, Reason: u.Reason})
}

// UnbilledDays lists the month's unbilled days: one Query (billing.Books).
func (s *Store) UnbilledDays(ctx context.Context, month date.Date) ([]billing.Unbilled, error) {
	items, err := s.queryPartition(ctx, s.tables.Data, unbilledPK(month), "")
	if err != nil {
		return nil, fmt.Errorf("unbilled days: %w", err)
	}
	out := make([]billing.Unbilled, 0, len(items))
	for _, av := range items {
		var it unbilledItem
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return nil, fmt.Errorf("decode unbilled day: %w", err)
		}
		d, err := date.Parse(it.Day)
		if err != nil {
			return nil, err
		}
		out = append(out, billing.Unbilled{Day: d, Activity: calendar.Activity(it.Activity), Site: it.Site, ChildID: it.ChildID, Reason: it.Reason})
	}
	return out, nil
}

// ChildFamilies maps each child enrolled in a to its family: one Query of GSI1 (billing.Books).
func (s *Store) ChildFamilies(ctx context.Context, a calendar.Activity) (map[string]string, error) {
	es, err := s.EnrolledIn(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(es))
	for _, e := range es {
		out[e.ChildID] = e.FamilyID
	}
	return out, nil
}

// BillingHousehold reads a family, its children and members in one Query (billing.Books).
func (s *Store) BillingHousehold(ctx context.Context, familyID string) (billing.Household, error) {
	rec, err := s.Family(ctx, familyID)
	if err != nil {
		return billing.Household{}, err
	}
	return billing.Household{Family: rec.Family, Children: rec.Children, Members: rec.Members}, nil
}

func avN64(v int64) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(v)} }

var (
	_ billing.Books         = (*Store)(nil)
	_ billing.Ledger        = (*Store)(nil)
	_ billing.InvoiceReader = (*Store)(nil)
	_ billing.Payments      = (*Store)(nil)
	_ billing.Desk          = (*Store)(nil)
)
