package lambdaapp

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/preau/preau/infra/ssmtest"
)

func setValid(t *testing.T) {
	t.Helper()
	for k, v := range map[string]string{
		"COMMUNE_NAME": "Laigneville", "SUBSCRIBER_CODE_PREFIX": "BLENFANCE-12087-", "MAIL_FROM": "portail@laigneville.fr",
		"SECRET_KEY": strings.Repeat("k", 32), "DATA_TABLE": "data", "SESSION_TABLE": "sessions",
		"CUTOFF_WORKING_DAYS": "2", "CUTOFF_HOUR": "10", "BASE_URL": "https://portail.example.fr/",
		"LAMBDA_TASK_ROOT": "", "PREAU_LOCAL": "", "COOKIE_INSECURE": "", "ANTIROBOT_DISABLED": "", "LOCAL_CLOCK": "", "LOCAL_CLOCK_BASE": "",
		"AWS_REGION": "eu-west-3",
	} {
		t.Setenv(k, v)
	}
}

func TestHandlerWiresTheSharedPieces(t *testing.T) {
	setValid(t)
	want := http.NotFoundHandler()
	var got *Env
	h, err := handler(context.Background(), func(_ context.Context, env *Env) (http.Handler, error) {
		got = env
		return want, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if h == nil || got == nil {
		t.Fatal("build not called or its handler dropped")
	}
	if got.Config.CommuneName != "Laigneville" || got.Store == nil || got.Sessions == nil || got.AWS.Region != "eu-west-3" {
		t.Fatalf("env %+v", got)
	}
	if !got.HSTS || got.Cookies.Insecure {
		t.Fatalf("outside the local stack: HSTS %v, insecure cookies %v", got.HSTS, got.Cookies.Insecure)
	}
}

func TestHandlerLocalStack(t *testing.T) {
	setValid(t)
	t.Setenv("PREAU_LOCAL", "1")
	t.Setenv("COOKIE_INSECURE", "1")
	var got *Env
	if _, err := handler(context.Background(), func(_ context.Context, env *Env) (http.Handler, error) {
		got = env
		return http.NotFoundHandler(), nil
	}); err != nil {
		t.Fatal(err)
	}
	if got.HSTS || !got.Cookies.Insecure {
		t.Fatalf("local stack: HSTS %v, insecure cookies %v", got.HSTS, got.Cookies.Insecure)
	}
}

func TestHandlerErrors(t *testing.T) {
	t.Run("missing setting", func(t *testing.T) {
		setValid(t)
		t.Setenv("DATA_TABLE", "")
		_, err := handler(context.Background(), func(context.Context, *Env) (http.Handler, error) {
			t.Fatal("build called with a bad configuration")
			return nil, nil
		})
		if err == nil || !strings.Contains(err.Error(), "DATA_TABLE is not set") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("build fails", func(t *testing.T) {
		setValid(t)
		boom := errors.New("service and sessions are required")
		_, err := handler(context.Background(), func(context.Context, *Env) (http.Handler, error) { return nil, boom })
		if !errors.Is(err, boom) {
			t.Fatalf("error %v, want %v", err, boom)
		}
	})
}

// TestRunFailsNamingTheFunction runs Run in a child process with no configuration: it must exit
// with 1 and say which function could not start.
func TestRunFailsNamingTheFunction(t *testing.T) {
	if os.Getenv("LAMBDAAPP_TEST_RUN") == "1" {
		Run("signup", func(context.Context, *Env) (http.Handler, error) { return http.NotFoundHandler(), nil })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsNamingTheFunction$")
	cmd.Env = []string{"LAMBDAAPP_TEST_RUN=1", "HOME=" + os.Getenv("HOME")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, stderr %s", err, stderr.String())
	}
	if !strings.HasPrefix(stderr.String(), "signup: configuration:") || !strings.Contains(stderr.String(), "COMMUNE_NAME is not set") {
		t.Fatalf("stderr %q", stderr.String())
	}
}

// Deployed, the key is read once per cold start from SSM Parameter Store, decrypted, and never
// taken from the environment.
func TestSecretKeyFromParameterStore(t *testing.T) {
	setValid(t)
	key := strings.Repeat("p", 40)
	p := ssmtest.Start(t, "/preau/laigneville/secret-key", "SecureString", key)
	t.Setenv("SECRET_KEY", "")
	t.Setenv("SECRET_KEY_PARAMETER", "/preau/laigneville/secret-key")
	t.Setenv("AWS_ENDPOINT_URL_SSM", p.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "local")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "local")
	var got *Env
	h, err := handler(context.Background(), func(_ context.Context, env *Env) (http.Handler, error) {
		got = env
		return http.NotFoundHandler(), nil
	})
	if err != nil || h == nil {
		t.Fatal(err)
	}
	if string(got.Config.SecretKey) != key || p.Reads() != 1 {
		t.Fatalf("key %q after %d reads, want the parameter's after one", got.Config.SecretKey, p.Reads())
	}
	t.Setenv("SECRET_KEY_PARAMETER", "/preau/absent")
	if _, err := handler(context.Background(), func(context.Context, *Env) (http.Handler, error) {
		return http.NotFoundHandler(), nil
	}); err == nil || !strings.Contains(err.Error(), "/preau/absent") {
		t.Fatalf("start-up with a missing parameter: %v", err)
	}
}
