package templatetest

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/preau/preau/infra/samtemplate"
)

// The operations rules of docs/deploy.md ("Running it"), for every function and schedule the
// template declares, present and future: a function cannot ship without its log group and its
// alarms, nor a schedule without retries and a dead-letter queue.

// alarmTopic is the SNS topic every alarm notifies.
const alarmTopic = "AlarmTopic"

// errorsPageSomeone are the functions that are not scheduled but whose every error needs a
// person: a failed payment notification is money received and not recorded.
var errorsPageSomeone = []string{"PaymentWebhook"}

type logGroup struct {
	LogGroupName    string
	RetentionInDays any
}

type alarm struct {
	Namespace    string
	MetricName   string
	Dimensions   []struct{ Name, Value string }
	Metrics      []alarmMetric
	AlarmActions []string
}

type alarmMetric struct {
	Expression string
	MetricStat *struct {
		Metric struct {
			Namespace  string
			MetricName string
			Dimensions []struct{ Name, Value string }
		}
	}
}

// watches reports whether the alarm reads namespace/metric with dimension name=value, itself or
// in one of its metric-math inputs.
func (a alarm) watches(namespace, metric, name, value string) bool {
	has := func(dims []struct{ Name, Value string }) bool {
		return slices.Contains(dims, struct{ Name, Value string }{name, value})
	}
	if a.Namespace == namespace && a.MetricName == metric && has(a.Dimensions) {
		return true
	}
	for _, m := range a.Metrics {
		if s := m.MetricStat; s != nil && s.Metric.Namespace == namespace && s.Metric.MetricName == metric && has(s.Metric.Dimensions) {
			return true
		}
	}
	return false
}

func alarms(t *testing.T, tpl *samtemplate.Template) map[string]alarm {
	t.Helper()
	out := map[string]alarm{}
	for _, r := range tpl.ResourcesOfType("AWS::CloudWatch::Alarm") {
		var a alarm
		if err := r.Decode(&a); err != nil {
			t.Fatal(err)
		}
		out[r.LogicalID] = a
	}
	return out
}

func watched(all map[string]alarm, namespace, metric, name, value string) bool {
	for _, a := range all {
		if a.watches(namespace, metric, name, value) {
			return true
		}
	}
	return false
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func TestEveryFunctionHasItsLogGroupWithRetention(t *testing.T) {
	_, tpl := load(t)
	want := tpl.Params["LogRetentionDays"]
	if want == "" {
		t.Fatal("no LogRetentionDays parameter")
	}
	groups := map[string]logGroup{}
	for _, r := range tpl.ResourcesOfType("AWS::Logs::LogGroup") {
		var g logGroup
		if err := r.Decode(&g); err != nil {
			t.Fatal(err)
		}
		if g.RetentionInDays == nil {
			t.Errorf("log group %s keeps its logs forever: set RetentionInDays", r.LogicalID)
		}
		groups[g.LogGroupName] = g
	}
	for _, f := range tpl.Functions {
		// The function's name is what !Ref gives; locally it resolves to the LogicalID.
		g, ok := groups["/aws/lambda/"+f.LogicalID]
		if !ok {
			t.Errorf("%s: no AWS::Logs::LogGroup named !Sub /aws/lambda/${%s}", f.LogicalID, f.LogicalID)
			continue
		}
		if got := scalarText(g.RetentionInDays); got != want {
			t.Errorf("%s: log retention %s, want !Ref LogRetentionDays (%s)", f.LogicalID, got, want)
		}
	}
}

func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	_, tpl := load(t)
	all := alarms(t, tpl)
	if len(all) == 0 {
		t.Fatal("no alarm")
	}
	for id, a := range all {
		if !slices.Contains(a.AlarmActions, alarmTopic) {
			t.Errorf("alarm %s does not notify %s (AlarmActions %v)", id, alarmTopic, a.AlarmActions)
		}
	}
	root, _ := samtemplate.ModuleRoot(".")
	withEmail, err := samtemplate.Load(filepath.Join(root, "template.yaml"), map[string]string{"AlertEmail": "alertes@commune.example"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	topic, ok := withEmail.Resource(alarmTopic)
	if !ok || topic.Type != "AWS::SNS::Topic" {
		t.Fatalf("no AWS::SNS::Topic %s", alarmTopic)
	}
	var p struct {
		Subscription []struct{ Protocol, Endpoint string }
	}
	if err := topic.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(p.Subscription, struct{ Protocol, Endpoint string }{"email", "alertes@commune.example"}) {
		t.Errorf("%s subscriptions %v: want the e-mail of the AlertEmail parameter", alarmTopic, p.Subscription)
	}
}

func TestEveryFunctionHasAThrottlesAlarm(t *testing.T) {
	_, tpl := load(t)
	all := alarms(t, tpl)
	for _, f := range tpl.Functions {
		if !watched(all, "AWS/Lambda", "Throttles", "FunctionName", f.LogicalID) {
			t.Errorf("%s: no alarm on AWS/Lambda Throttles with FunctionName !Ref %s", f.LogicalID, f.LogicalID)
		}
	}
}

func TestJobsAndPaymentsHaveAnErrorsAlarm(t *testing.T) {
	_, tpl := load(t)
	all := alarms(t, tpl)
	for _, f := range tpl.Functions {
		if len(f.Schedules) == 0 && !slices.Contains(errorsPageSomeone, f.LogicalID) {
			continue
		}
		if !watched(all, "AWS/Lambda", "Errors", "FunctionName", f.LogicalID) {
			t.Errorf("%s: no alarm on AWS/Lambda Errors with FunctionName !Ref %s", f.LogicalID, f.LogicalID)
		}
	}
}

func TestServerErrorRateAlarm(t *testing.T) {
	_, tpl := load(t)
	all := alarms(t, tpl)
	var found bool
	for _, a := range all {
		if a.watches("AWS/ApiGateway", "5xx", "ApiId", "HttpApi") && a.watches("AWS/ApiGateway", "Count", "ApiId", "HttpApi") &&
			slices.ContainsFunc(a.Metrics, func(m alarmMetric) bool { return m.Expression != "" }) {
			found = true
		}
	}
	if !found {
		t.Error("no alarm on the HTTP API's 5xx rate (5xx / Count of HttpApi, as metric math)")
	}
}

func TestEverySchedulerRetriesAndKeepsItsFailures(t *testing.T) {
	_, tpl := load(t)
	all := alarms(t, tpl)
	queues := map[string]string{} // local ARN → LogicalID
	for _, q := range tpl.ResourcesOfType("AWS::SQS::Queue") {
		queues[samtemplate.LocalArn(q.LogicalID, "Arn")] = q.LogicalID
	}
	deadLetters := func(what, arn string) {
		id, ok := queues[arn]
		if !ok {
			t.Errorf("%s: dead-letter target %q is not !GetAtt <queue>.Arn of a queue of the template", what, arn)
			return
		}
		if !watched(all, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", samtemplate.LocalArn(id, "QueueName")) {
			t.Errorf("%s: no alarm on the messages of its dead-letter queue %s", what, id)
		}
	}
	n := 0
	for _, f := range tpl.Functions {
		if len(f.Schedules) == 0 {
			continue
		}
		for _, s := range f.Schedules {
			n++
			what := f.LogicalID + "." + s.Name
			if s.MaxRetries == nil || *s.MaxRetries < 1 || s.MaxEventAge == nil || *s.MaxEventAge < 60 {
				t.Errorf("%s: want a RetryPolicy with MaximumRetryAttempts ≥ 1 and MaximumEventAgeInSeconds ≥ 60", what)
			}
			if s.Timezone != "Europe/Paris" {
				t.Errorf("%s: ScheduleExpressionTimezone %q, want Europe/Paris", what, s.Timezone)
			}
			deadLetters(what+" DeadLetterConfig", s.DeadLetterArn)
		}
		// Scheduler invokes the function asynchronously: a job that returns an error is retried by
		// Lambda, then goes to the function's own dead-letter queue.
		if f.AsyncRetries == nil || *f.AsyncRetries < 1 {
			t.Errorf("%s: want EventInvokeConfig.MaximumRetryAttempts ≥ 1", f.LogicalID)
		}
		deadLetters(f.LogicalID+" DeadLetterQueue", f.DeadLetterQueue)
	}
	t.Logf("%d schedules checked", n)
}
