// Package dynamometer counts what a DynamoDB client's calls would be billed on demand: the calls
// by operation, and the read and write request units DynamoDB charges for them, as the table
// answers them (ReturnConsumedCapacity TOTAL). The local emulator (dynalite) computes them as
// DynamoDB does, from the item sizes: a write costs ceil(size / 1 KB) of the larger of the old and
// new images, a strongly consistent read ceil(size / 4 KB) (a Query's items summed first).
//
//	m := dynamometer.New()
//	db := dynamodb.New(opts, m.Attach)
//	...
//	m.Reset(); doSomething(); m.Snapshot().WriteUnits
//
// A write refused by its condition is billed too on DynamoDB (as a write of the item's size);
// the emulator reports nothing for it, so such a write is counted as 1 unit: a lower bound.
package dynamometer

import (
	"context"
	"errors"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
)

// Meter accumulates calls and units; it is safe for concurrent use.
type Meter struct {
	mu  sync.Mutex
	now Counts
}

// Counts is what a Meter saw since its last Reset.
type Counts struct {
	Calls      map[string]int // by operation name (GetItem, Query, UpdateItem, ...)
	ReadUnits  float64
	WriteUnits float64
	// Refused counts the writes refused by their condition (each counted as 1 write unit).
	Refused int
}

// Writes is the number of write calls (PutItem, UpdateItem, DeleteItem, BatchWriteItem).
func (c Counts) Writes() int {
	return c.Calls["PutItem"] + c.Calls["UpdateItem"] + c.Calls["DeleteItem"] + c.Calls["BatchWriteItem"]
}

// New returns an empty meter.
func New() *Meter { return &Meter{now: Counts{Calls: map[string]int{}}} }

// Reset empties the meter.
func (m *Meter) Reset() {
	m.mu.Lock()
	m.now = Counts{Calls: map[string]int{}}
	m.mu.Unlock()
}

// Snapshot returns a copy of the counts so far.
func (m *Meter) Snapshot() Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.now
	c.Calls = make(map[string]int, len(m.now.Calls))
	for k, v := range m.now.Calls {
		c.Calls[k] = v
	}
	return c
}

// Attach is a dynamodb.Options function: dynamodb.New(opts, m.Attach).
func (m *Meter) Attach(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, m.middleware)
}

func (m *Meter) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("dynamometer",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			op := awsmiddleware.GetOperationName(ctx)
			askCapacity(in.Parameters)
			out, md, err := next.HandleInitialize(ctx, in)
			read, write := consumed(out.Result)
			var refused *types.ConditionalCheckFailedException
			isRefused := errors.As(err, &refused)
			m.mu.Lock()
			m.now.Calls[op]++
			m.now.ReadUnits += read
			m.now.WriteUnits += write
			if isRefused {
				m.now.Refused++
				m.now.WriteUnits++
			}
			m.mu.Unlock()
			return out, md, err
		}), middleware.After)
}

// askCapacity asks the table to report the units of the call, unless the caller already did.
func askCapacity(params any) {
	const total = types.ReturnConsumedCapacityTotal
	switch p := params.(type) {
	case *dynamodb.GetItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.QueryInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.ScanInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.PutItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.UpdateItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.DeleteItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.BatchGetItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	case *dynamodb.BatchWriteItemInput:
		if p.ReturnConsumedCapacity == "" {
			p.ReturnConsumedCapacity = total
		}
	}
}

// consumed returns the read and write units an output reports.
func consumed(result any) (read, write float64) {
	units := func(c *types.ConsumedCapacity) float64 {
		if c == nil || c.CapacityUnits == nil {
			return 0
		}
		return *c.CapacityUnits
	}
	sum := func(cs []types.ConsumedCapacity) float64 {
		t := 0.0
		for i := range cs {
			t += units(&cs[i])
		}
		return t
	}
	switch o := result.(type) {
	case *dynamodb.GetItemOutput:
		return units(o.ConsumedCapacity), 0
	case *dynamodb.QueryOutput:
		return units(o.ConsumedCapacity), 0
	case *dynamodb.ScanOutput:
		return units(o.ConsumedCapacity), 0
	case *dynamodb.BatchGetItemOutput:
		return sum(o.ConsumedCapacity), 0
	case *dynamodb.PutItemOutput:
		return 0, units(o.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return 0, units(o.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return 0, units(o.ConsumedCapacity)
	case *dynamodb.BatchWriteItemOutput:
		return 0, sum(o.ConsumedCapacity)
	}
	return 0, 0
}

// ItemSize is an item's size as DynamoDB counts it for its 400 KB limit and for billing: each
// attribute's name in UTF-8 bytes plus its value, a string by its UTF-8 bytes, a number about
// one byte per two significant digits plus one, a map or list 3 bytes plus 1 per element (and a
// map's keys), a boolean or null 1.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return len(x.Value)
	case *types.AttributeValueMemberN:
		return numberSize(x.Value)
	case *types.AttributeValueMemberB:
		return len(x.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range x.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberNS:
		n := 0
		for _, s := range x.Value {
			n += numberSize(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range x.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range x.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}

func numberSize(s string) int {
	digits := 0
	for _, r := range strings.TrimLeft(strings.TrimLeft(s, "-"), "0.") {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits == 0 {
		return 1
	}
	return 1 + (digits+1)/2
}
