package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// logLines decodes every JSON line of b.
func logLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, line)
	}
	return out
}

// TestLogLinesCarryRequestID serves requests the way Lambda does (API Gateway event through the
// adapter, inside a Lambda invocation) and checks that every line logged while serving one —
// by the handler, by code it calls with the request's context as the domain, store and mail
// do, on a failure and on a panic — carries API Gateway's request id, exactly once.
func TestLogLinesCarryRequestID(t *testing.T) {
	var logs bytes.Buffer
	old := slog.Default()
	slog.SetDefault(NewLogger(&logs))
	defer slog.SetDefault(old)

	domain := func(ctx context.Context) { slog.InfoContext(ctx, "account created") }
	store := func(ctx context.Context) {
		slog.LogAttrs(ctx, slog.LevelWarn, "retrying a write", slog.Int("attempt", 2))
	}
	mailer := func(ctx context.Context) {
		// A send that must outlive the request keeps its values, hence its id.
		slog.ErrorContext(context.WithoutCancel(ctx), "ses send failed", "code", "Throttling")
	}
	mux := NewRouter()
	mux.HandleFunc("POST /api/v1/signup", func(w http.ResponseWriter, r *http.Request) {
		domain(r.Context())
		store(r.Context())
		mailer(r.Context())
		slog.With("part", "handler").InfoContext(r.Context(), "with attributes")
		slog.InfoContext(r.Context(), "id given by the caller", "request_id", RequestID(r.Context()))
		Error(w, r, context.DeadlineExceeded) // logged as "request failed"
	})
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	adapter := httpadapter.NewV2(Handler(mux, Options{Function: "Signup"}))

	for _, tc := range []struct{ method, path, apigwID, lambdaID string }{
		{"POST", "/api/v1/signup", "apigw-req-1", "lambda-inv-1"},
		{"GET", "/boom", "apigw-req-2", "lambda-inv-2"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			logs.Reset()
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: tc.lambdaID})
			ev := events.APIGatewayV2HTTPRequest{
				Version: "2.0", RawPath: tc.path, Headers: map[string]string{"sec-fetch-site": "same-origin"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					RequestID: tc.apigwID, DomainName: "preau.example",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: tc.method, Path: tc.path},
				},
			}
			resp, err := adapter.ProxyWithContext(ctx, ev)
			if err != nil || resp.StatusCode < 500 {
				t.Fatalf("status %d, %v: the route should fail", resp.StatusCode, err)
			}
			lines := logLines(t, logs.Bytes())
			if len(lines) < 2 {
				t.Fatalf("only %d lines: %s", len(lines), logs.String())
			}
			for _, line := range lines {
				if line["request_id"] != tc.apigwID {
					t.Errorf("line %v: request_id %v, want %s", line["msg"], line["request_id"], tc.apigwID)
				}
			}
			if n := strings.Count(logs.String(), `"request_id"`); n != len(lines) {
				t.Errorf("%d request_id keys on %d lines: %s", n, len(lines), logs.String())
			}
		})
	}

	t.Run("scheduled job: the Lambda invocation's id", func(t *testing.T) {
		logs.Reset()
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-inv-3"})
		slog.InfoContext(ctx, "reminders sent", "count", 3)
		if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["request_id"] != "lambda-inv-3" {
			t.Errorf("lines %v", lines)
		}
	})
	t.Run("start-up: no id", func(t *testing.T) {
		logs.Reset()
		slog.InfoContext(context.Background(), "cold start")
		if lines := logLines(t, logs.Bytes()); len(lines) != 1 || lines[0]["request_id"] != nil {
			t.Errorf("lines %v", lines)
		}
	})
}

// TestEveryLogCallTakesTheContext reads the code of shared/ and functions/: a slog call without
// a context (slog.Info rather than slog.InfoContext), the log package, or a logger of its own
// would write a line without the request id, so none is allowed outside this package's logger.
func TestEveryLogCallTakesTheContext(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	noContext := map[string]bool{"Info": true, "Warn": true, "Error": true, "Debug": true}
	checked := 0
	for _, dir := range []string{"shared", "functions"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			checked++
			names := map[string]string{} // local import name → import path
			for _, imp := range f.Imports {
				p := strings.Trim(imp.Path.Value, `"`)
				name := filepath.Base(p)
				if imp.Name != nil {
					name = imp.Name.Name
				}
				names[name] = p
			}
			rel, _ := filepath.Rel(root, path)
			ownLogger := filepath.ToSlash(rel) == "shared/web/log.go"
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				where := fset.Position(call.Pos())
				where.Filename = rel
				fn := sel.Sel.Name
				if inner, ok := sel.X.(*ast.CallExpr); ok && noContext[fn] {
					// slog.With(…).Info(…), slog.Default().Error(…)
					if isel, ok := inner.Fun.(*ast.SelectorExpr); ok {
						if ipkg, ok := isel.X.(*ast.Ident); ok && names[ipkg.Name] == "log/slog" {
							t.Errorf("%s: slog.%s(…).%s writes without the request's context; use %sContext(ctx, …)", where, isel.Sel.Name, fn, fn)
						}
					}
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				switch names[pkg.Name] {
				case "log/slog":
					if noContext[fn] {
						t.Errorf("%s: slog.%s writes without the request's context; use slog.%sContext(ctx, …)", where, fn, fn)
					}
					if !ownLogger && (fn == "New" || fn == "SetDefault" || strings.HasPrefix(fn, "NewJSON") || strings.HasPrefix(fn, "NewText")) {
						t.Errorf("%s: slog.%s makes a logger of its own, without the request id; log through slog's default (web.InitLogging)", where, fn)
					}
				case "log":
					t.Errorf("%s: log.%s writes outside slog (no request id, not JSON)", where, sel.Sel.Name)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d files read under %s", checked, root)
	}
}
