// Package cost turns what Préau's benchmarks count (Lambda invocations and their duration, API
// Gateway requests, DynamoDB read and write request units from the real item sizes, SES
// messages, scheduled invocations, stored bytes) into what a family costs a year on AWS
// (`make bench`, docs/cost.md). Prices live here, in one place, with their date.
package cost

// Prices are AWS list prices in US dollars, without any free tier, and the exchange rate used to
// state them in euros.
type Prices struct {
	// Region and Date say where and when these prices held.
	Region, Date string
	// LambdaRequest is per invocation; LambdaGBSecond per GB-second on arm64 (Préau's
	// architecture), the INIT phase included.
	LambdaRequest, LambdaGBSecond float64
	// HTTPAPIRequest is per API Gateway HTTP API request (the first 300 million a month).
	HTTPAPIRequest float64
	// ReadUnit and WriteUnit are per DynamoDB on-demand read and write request unit (Standard
	// table class).
	ReadUnit, WriteUnit float64
	// StorageGBMonth and BackupGBMonth are per GB-month of DynamoDB table storage and of
	// continuous backups (point-in-time recovery, which the stack turns on).
	StorageGBMonth, BackupGBMonth float64
	// Email is per SES outbound message.
	Email float64
	// ScheduledInvocation is per EventBridge Scheduler invocation.
	ScheduledInvocation float64
	// LogIngestGB is per GB of CloudWatch Logs ingested (every function's log group).
	LogIngestGB float64
	// AlarmMonth is per CloudWatch standard alarm and month (a fixed cost per commune).
	AlarmMonth float64
	// EURPerUSD converts the total.
	EURPerUSD float64
}

// EUWest3 are the list prices of AWS Europe (Paris), eu-west-3, as published in January 2025
// (DynamoDB on-demand after its price cut of 1 November 2024), and the euro at 0.92 US dollar.
// They were written from AWS's price pages as known then, not read again since: check them
// (https://aws.amazon.com/<service>/pricing/) before quoting a figure to a commune.
var EUWest3 = Prices{
	Region:              "eu-west-3",
	Date:                "2025-01",
	LambdaRequest:       0.20 / 1e6,
	LambdaGBSecond:      0.0000133334,
	HTTPAPIRequest:      1.17 / 1e6,
	ReadUnit:            0.1485 / 1e6,
	WriteUnit:           0.7423 / 1e6,
	StorageGBMonth:      0.297,
	BackupGBMonth:       0.2376,
	Email:               0.10 / 1000,
	ScheduledInvocation: 1.00 / 1e6,
	LogIngestGB:         0.57,
	AlarmMonth:          0.10,
	EURPerUSD:           0.92,
}
