// Package dynamotest gives a test its own DynamoDB tables on the local emulator (dynalite),
// created from template.yaml's definitions and deleted when the test ends.
//
// Run tests with `make test`, which starts the emulators and sets AWS_ENDPOINT_URL_DYNAMODB:
//
//	env := dynamotest.New(t)
//	s := store.New(env.Client, env.DataTable, env.SessionTable)
//
// Each call makes fresh uniquely named tables, so tests may run in parallel.
package dynamotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/preau/preau/infra/localaws"
	"github.com/preau/preau/infra/samtemplate"
)

// Env is one test's pair of tables on the emulator.
type Env struct {
	Client       *dynamodb.Client
	DataTable    string // the DataTable of template.yaml, under a unique name
	SessionTable string // the SessionTable of template.yaml, under a unique name
}

// New creates the template's tables under fresh names and deletes them on t.Cleanup.
func New(t testing.TB) *Env {
	t.Helper()
	if os.Getenv(localaws.EnvDynamoDB) == "" {
		t.Fatal("DynamoDB emulator not configured: run the tests with `make test`")
	}
	client, err := localaws.DynamoDBFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	prefix := "t" + randomHex() + "-"
	names := map[string]string{"DataTable": prefix + "data", "SessionTable": prefix + "sessions"}
	tpl := loadTemplate(t, names)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var created []string
	for _, tb := range tpl.Tables {
		created = append(created, *tb.CreateTableInput.TableName)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := localaws.DeleteTables(ctx, client, created...); err != nil {
			t.Errorf("dynamotest: %v", err)
		}
	})
	if err := localaws.EnsureTables(ctx, client, tpl.Tables); err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return &Env{Client: client, DataTable: names["DataTable"], SessionTable: names["SessionTable"]}
}

func loadTemplate(t testing.TB, tableNames map[string]string) *samtemplate.Template {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := samtemplate.ModuleRoot(wd)
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	tpl, err := samtemplate.Load(filepath.Join(root, "template.yaml"), nil, tableNames)
	if err != nil {
		t.Fatalf("dynamotest: %v", err)
	}
	return tpl
}

func randomHex() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
