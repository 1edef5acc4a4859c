package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/preau/preau/infra/dynamometer"
	"github.com/preau/preau/infra/dynamotest"
	"github.com/preau/preau/shared/billing"
	"github.com/preau/preau/shared/billing/billingtest"
	"github.com/preau/preau/shared/calendar"
	"github.com/preau/preau/shared/date"
	"github.com/preau/preau/shared/family"
	"github.com/preau/preau/shared/store"
)

// TestBillingContract runs billing's contract suite (numbering under retried, doubled and
// interrupted runs, payments applied once, attempts) against DynamoDB.
func TestBillingContract(t *testing.T) {
	billingtest.TestStore(t, func(t *testing.T) billingtest.Store { return newStore(t) })
}

// TestInvoiceFormsReadAlike: an invoice stores neither what its keys say nor long names in its
// lines, and reads back as it was written; an invoice written before (number, familyId and
// month stored, lines with long names) reads the same, by every reader, and still takes a
// payment.
func TestInvoiceFormsReadAlike(t *testing.T) {
	env := dynamotest.New(t)
	st := store.New(env.Client, store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	month := date.MustParse("2026-10-01")
	inv := billing.Invoice{Number: "2026000001", FamilyID: "f_new", FamilyName: "Famille Martin", Month: month, TotalCents: 3750,
		IssuedOn: date.MustParse("2026-11-01"), DueOn: date.MustParse("2026-12-01"),
		Lines: []billing.Line{
			{ChildID: "c_1", ChildName: "Léa", Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "Jules Ferry", Days: 10, UnitCents: 250, AmountCents: 2500},
			{ChildID: "c_2", ChildName: "Hugo", Activity: calendar.EveningCare, Site: "jules-ferry", SiteName: "Jules Ferry", Days: 5, UnitCents: 250, AmountCents: 1250},
		}}
	if ok, err := st.PutInvoice(ctx, inv); err != nil || !ok {
		t.Fatalf("put: %v, %v", ok, err)
	}
	raw := func(familyID, number string) map[string]types.AttributeValue {
		t.Helper()
		out, err := env.Client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &env.DataTable,
			Key: map[string]types.AttributeValue{"PK": s("FAMILY#" + familyID), "SK": s("INVOICE#" + number)}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Item
	}
	item := raw("f_new", "2026000001")
	for _, a := range []string{"number", "familyId", "month"} {
		if _, ok := item[a]; ok {
			t.Errorf("the invoice stores %s, which its keys say", a)
		}
	}
	if l, ok := item["lines"].(*types.AttributeValueMemberL); !ok || len(l.Value) != 2 {
		t.Fatalf("lines stored as %v", item["lines"])
	} else if _, long := l.Value[0].(*types.AttributeValueMemberM).Value["childId"]; long {
		t.Errorf("a line stored with long names: %v", l.Value[0])
	}

	// The same invoice, as written before, for another family.
	former := inv
	former.FamilyID, former.Number = "f_old", "2026000002"
	line := func(l billing.Line) types.AttributeValue {
		return &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"childId": s(l.ChildID), "childName": s(l.ChildName), "activity": s(string(l.Activity)), "site": s(l.Site),
			"siteName": s(l.SiteName), "days": n(int64(l.Days)), "unitCents": n(l.UnitCents), "amountCents": n(l.AmountCents)}}
	}
	if _, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: map[string]types.AttributeValue{
		"PK": s("FAMILY#f_old"), "SK": s("INVOICE#2026000002"), "GSI1PK": s("INVOICES#2026-10"), "GSI1SK": s("2026000002"),
		"number": s("2026000002"), "familyId": s("f_old"), "familyName": s("Famille Martin"), "month": s("2026-10"),
		"lines":      &types.AttributeValueMemberL{Value: []types.AttributeValue{line(inv.Lines[0]), line(inv.Lines[1])}},
		"totalCents": n(3750), "issuedOn": s("2026-11-01"), "dueOn": s("2026-12-01"),
		"payments": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
	}}); err != nil {
		t.Fatal(err)
	}

	for _, want := range []billing.Invoice{inv, former} {
		got, err := st.Invoice(ctx, want.FamilyID, want.Number)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Invoice read\n %+v, want\n %+v", got, want)
		}
		list, err := st.Invoices(ctx, want.FamilyID)
		if err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], want) {
			t.Errorf("Invoices read %+v, %v; want %+v", list, err, want)
		}
	}
	desk, err := st.MonthInvoices(ctx, month)
	if err != nil || len(desk) != 2 || !reflect.DeepEqual(desk[0], inv) || !reflect.DeepEqual(desk[1], former) {
		t.Errorf("MonthInvoices read %+v, %v", desk, err)
	}
	p := billing.Payment{IDOp: "op1", AmountCents: 3750, At: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)}
	paid, applied, err := st.ApplyPayment(ctx, "f_old", "2026000002", p)
	if err != nil || !applied || len(paid.Payments) != 1 || paid.Number != "2026000002" || paid.FamilyID != "f_old" || len(paid.Lines) != 2 {
		t.Fatalf("payment of the former invoice: %+v, %v, %v", paid, applied, err)
	}
}

func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// TestFamilyReadLeavesTheInvoices: however many invoices a family keeps, reading the family
// (every booking, planning and reminder does) reads its children, enrolments and members only.
func TestFamilyReadLeavesTheInvoices(t *testing.T) {
	env := dynamotest.New(t)
	meter := dynamometer.New()
	st := store.New(dynamodb.New(env.Client.Options(), meter.Attach), store.Tables{Data: env.DataTable, Session: env.SessionTable})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutFamily(ctx, family.Family{ID: "f_1", Name: "Famille Martin", QuotientBracket: "B"}))
	must(st.PutChild(ctx, family.Child{ID: "c_1", FamilyID: "f_1", FirstName: "Léa", LastName: "Martin"}))
	must(st.PutEnrolment(ctx, "f_1", family.Enrolment{ChildID: "c_1", Activity: calendar.Canteen, Site: "jules-ferry", From: date.MustParse("2026-09-01")}))
	must(st.AddMember(ctx, "f_1", "anne@exemple.fr", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)))
	line := billing.Line{ChildID: "c_1", ChildName: "Léa", Activity: calendar.Canteen, Site: "jules-ferry", SiteName: "Jules Ferry",
		Days: 18, UnitCents: 250, AmountCents: 4500}
	for i := range 100 {
		m := date.MustParse("2017-01-01").AddMonths(i)
		if _, err := st.PutInvoice(ctx, billing.Invoice{Number: fmt.Sprintf("%04d%06d", m.Year(), i+1), FamilyID: "f_1", FamilyName: "Famille Martin",
			Month: m, TotalCents: 4500, IssuedOn: m.AddMonths(1), DueOn: m.AddMonths(2), Lines: []billing.Line{line, line, line}}); err != nil {
			t.Fatal(err)
		}
	}
	meter.Reset()
	rec, err := st.Family(ctx, "f_1")
	must(err)
	if rec.Family.Name != "Famille Martin" || len(rec.Children) != 1 || len(rec.Enrolments) != 1 ||
		len(rec.Members) != 1 || rec.Members[0] != "anne@exemple.fr" {
		t.Fatalf("family read as %+v", rec)
	}
	if read := meter.Snapshot().ReadUnits; read > 2 {
		t.Fatalf("the family read %v read units beside 100 invoices, want 2 at most", read)
	}
	if invs, err := st.Invoices(ctx, "f_1"); err != nil || len(invs) != 100 {
		t.Fatalf("invoices: %d, %v", len(invs), err)
	}
}
