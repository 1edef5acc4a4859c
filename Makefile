# Préau — build, run and test.
#
#   make run     local stack on http://127.0.0.1:8080 (mailbox on :8005)
#   make test    every test, emulators and headless browser included
#   make bench   benchmarks (binary sizes, start-up, DynamoDB calls, latency), then `make fuzz`
#   make fuzz    every function's routes fuzzed for FUZZTIME each (default 20s)
#
# `sam build` calls the build-<LogicalId> targets below (BuildMethod: makefile) with
# ARTIFACTS_DIR set; each builds one function's bootstrap for provided.al2023 on arm64.

GO          ?= go
LAMBDA_ENV  := CGO_ENABLED=0 GOOS=linux GOARCH=arm64
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
ARTIFACTS_DIR ?= $(CURDIR)/.build/$@

.PHONY: run reset test test-go test-browser bench fuzz lint npm-deps tools clean

define lambda-build
	mkdir -p $(ARTIFACTS_DIR)
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/$(1)
endef

build-Portal:
	$(call lambda-build,portal)
build-Signup:
	$(call lambda-build,signup)
build-Account:
	$(call lambda-build,account)
build-Planning:
	$(call lambda-build,planning)
build-Reservation:
	$(call lambda-build,reservation)
build-Cancellation:
	$(call lambda-build,cancellation)
build-LongPeriod:
	$(call lambda-build,longperiod)
build-Billing:
	$(call lambda-build,billing)
build-Reminder:
	$(call lambda-build,reminder)
build-ReminderSettings:
	$(call lambda-build,remindersettings)
build-Gestion:
	$(call lambda-build,gestion)
build-Invoices:
	$(call lambda-build,invoices)
build-PaymentWebhook:
	$(call lambda-build,paymentwebhook)
build-Reconciliation:
	$(call lambda-build,reconciliation)
build-Export:
	$(call lambda-build,export)
build-Retention:
	$(call lambda-build,retention)

# Node packages of the local emulators and the browser tests (versions pinned by the lock file).
npm-deps: infra/node_modules/.package-lock.json
infra/node_modules/.package-lock.json: infra/package.json infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund

# Go tools used by the tests: the Lambda Runtime Interface Emulator, installed at the pinned
# version into $(go env GOBIN), else the first $(go env GOPATH)/bin, when it is not there yet.
# `make test` calls it.
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
GO_BIN = $(or $(shell $(GO) env GOBIN),$(firstword $(subst :, ,$(shell $(GO) env GOPATH)))/bin)
RIE = $(GO_BIN)/aws-lambda-rie
tools:
	@test -x "$(RIE)" || { echo "installing aws-lambda-rie $(RIE_VERSION) into $(GO_BIN)"; \
		$(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION); }

run: npm-deps
	$(GO) run ./infra/local

# Wipe the local stack's data (tables, secret key, built binaries).
reset:
	rm -rf .local

test: npm-deps tools
	PATH="$(GO_BIN):$$PATH" $(GO) run ./infra/testenv -- $(MAKE) --no-print-directory test-go test-browser

# The Go tests run through infra/logscan, which fails them when a log line holds an e-mail
# address, a token or a token's hash.
test-go:
	$(GO) vet ./...
	$(GO) run ./infra/logscan -- $(GO) test -race -count=1 -timeout 30m -json ./...

# The browser tests need Chromium (CHROMIUM, else /usr/bin/chromium). Without it they are skipped
# with one line saying so, except under CI=true, where the harness fails instead.
CHROMIUM ?= /usr/bin/chromium
test-browser:
	@if [ -x "$(CHROMIUM)" ] || [ "$$CI" = true ]; then \
		cd infra && CHROMIUM="$(CHROMIUM)" node --test browser/; \
	else \
		echo "Browser tests skipped: Chromium not found at $(CHROMIUM). To run them: apt-get install chromium"; \
	fi

# Binary sizes and start-up (infra/bench), then the Go benchmarks of the rules: the cutoff, the
# password hash and anti-robot work of sign-up and login, and the reservations' DynamoDB calls
# per operation, long-period and concurrent-planning figures against the emulator; then one
# reminders run over 10,000 families with its DynamoDB and SES calls per family, and the
# monthly invoice run for 1,000 families (duration, DynamoDB calls per family); last, what one
# family costs a year on AWS (infra/cost, docs/cost.md).
# Every step also merges its figures into BENCH_RESULTS, a flat JSON object of named numbers
# (infra/benchresults), which the run starts empty and prints at its end.
BENCH_RESULTS := $(CURDIR)/.bench/results.json
bench: export PREAU_BENCH_RESULTS = $(BENCH_RESULTS)
bench: npm-deps
	rm -f $(BENCH_RESULTS)
	$(GO) run ./infra/testenv -- $(GO) run ./infra/bench
	$(GO) run ./infra/testenv -- $(GO) test -run '^$$' -bench . -benchtime 5x ./shared/cutoff ./shared/accounts/... ./shared/reservations
	$(GO) run ./infra/testenv -- $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./shared/reminders
	$(GO) run ./infra/testenv -- $(GO) test -run '^$$' -bench InvoiceRun -benchtime 1x ./shared/billing
	$(GO) run ./infra/testenv -- $(GO) test -run '^$$' -bench FamilyYear -benchtime 1x ./infra/cost
	@echo "== figures ($(BENCH_RESULTS))"; cat $(BENCH_RESULTS)
	$(MAKE) fuzz

# A bounded fuzzing run of every function's routes, and of the page escapers against
# html/template's (make test replays only the seed corpus): each function's FuzzRoutes and
# shared/tmpl/tmplgen's FuzzEscapersMatchHTMLTemplate for FUZZTIME. A failing input is saved under the function's testdata/fuzz
# and replayed by every later `make test`. Go 1.26's fuzzing can fail a target at the end of
# -fuzztime without any failing input (its coordinator's stop races the deadline on a busy
# machine, go.dev/issue/75804, fixed in Go 1.27): a failure that wrote no input is run once more,
# a failure that wrote one fails at once.
FUZZTIME ?= 20s
fuzz:
	$(GO) run ./infra/testenv -- sh -c 'for t in $$(grep -l "^func FuzzRoutes" functions/*/fuzz_test.go | xargs -n1 dirname | sed "s|$$|:FuzzRoutes|") \
		shared/tmpl/tmplgen:FuzzEscapersMatchHTMLTemplate shared/web:FuzzRouterAnswersAsServeMux; do d=$${t%%:*}; f=$${t#*:}; \
		inputs() { ls $$d/testdata/fuzz/$$f 2>/dev/null | wc -l; }; before=$$(inputs); \
		$(GO) test -run "^$$" -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./$$d && continue; \
		[ "$$(inputs)" = "$$before" ] || exit 1; \
		echo "$$d: the fuzzing stopped without a failing input (go.dev/issue/75804): once more"; \
		$(GO) test -run "^$$" -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./$$d || exit 1; done'

# gofmt, go vet, and go.mod/go.sum as `go mod tidy` would leave them. CI runs it before the tests.
lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
		if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

clean:
	rm -rf .build
