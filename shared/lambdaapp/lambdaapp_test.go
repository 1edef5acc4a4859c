package lambdaapp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/preau/preau/infra/ssmtest"
	"github.com/preau/preau/shared/secret"
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

// handler is Run's start-up without Lambda: the shared wiring, then the function's build.
func handler(ctx context.Context, build Build) (http.Handler, error) {
	e, err := env(ctx)
	if err != nil {
		return nil, err
	}
	return build(ctx, e)
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
// taken from the environment; the read does not hold up the start: the build runs while it is
// under way, and the key's first use waits for it.
func TestSecretKeyFromParameterStore(t *testing.T) {
	setValid(t)
	key := strings.Repeat("p", 40)
	p := ssmtest.Start(t, "/preau/laigneville/secret-key", "SecureString", key)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		p.ServeHTTP(w, r)
	}))
	defer slow.Close()
	t.Setenv("SECRET_KEY", "")
	t.Setenv("SECRET_KEY_PARAMETER", "/preau/laigneville/secret-key")
	t.Setenv("AWS_ENDPOINT_URL_SSM", slow.URL)
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
	if p.Reads() != 0 {
		t.Fatal("SSM answered before it was let to")
	}
	close(release) // SSM answers only once the handler is built
	b, err := got.Config.SecretKey.Bytes(context.Background())
	if err != nil || string(b) != key || p.Reads() != 1 {
		t.Fatalf("key %q (%v) after %d reads, want the parameter's after one", b, err, p.Reads())
	}

	t.Setenv("AWS_ENDPOINT_URL_SSM", p.URL)
	t.Setenv("SECRET_KEY_PARAMETER", "/preau/absent")
	if _, err := handler(context.Background(), func(_ context.Context, env *Env) (http.Handler, error) {
		got = env
		return http.NotFoundHandler(), nil
	}); err != nil {
		t.Fatal(err)
	}
	if b, err := got.Config.SecretKey.Bytes(context.Background()); b != nil || !errors.Is(err, secret.ErrUnavailable) ||
		!strings.Contains(err.Error(), "/preau/absent") {
		t.Fatalf("use of a missing parameter: %q, %v", b, err)
	}
}

// runtimeAPI is a Lambda Runtime API that hands out no invocation: the function under test
// polls it and waits, as in Lambda between requests.
func runtimeAPI(t *testing.T) (addr string, polled <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/runtime/invocation/next") {
			select {
			case ch <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), ch
}

// TestRunFailsOnABadSecretKey runs Run in a child process whose key parameter is not a
// SecureString, or missing: although the key is read in the background, the function still
// fails as at start-up, exiting with 1 and saying why. With a good parameter it keeps serving.
func TestRunFailsOnABadSecretKey(t *testing.T) {
	if os.Getenv("LAMBDAAPP_TEST_RUN") == "1" {
		Run("portal", func(context.Context, *Env) (http.Handler, error) { return http.NotFoundHandler(), nil })
		return
	}
	for _, c := range []struct {
		name, typ, param, want string
	}{
		{"plain string", "String", "/preau/secret-key", "portal: configuration: SECRET_KEY_PARAMETER /preau/secret-key is a String, not a SecureString"},
		{"missing", "SecureString", "/preau/absent", "portal: configuration: SECRET_KEY_PARAMETER /preau/absent: ssm: GetParameter: ParameterNotFound"},
		{"good", "SecureString", "/preau/secret-key", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := ssmtest.Start(t, "/preau/secret-key", c.typ, strings.Repeat("s", 40))
			api, polled := runtimeAPI(t)
			cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsOnABadSecretKey$")
			cmd.Env = []string{"LAMBDAAPP_TEST_RUN=1", "HOME=" + os.Getenv("HOME"), "AWS_LAMBDA_RUNTIME_API=" + api,
				"COMMUNE_NAME=Laigneville", "SUBSCRIBER_CODE_PREFIX=BLENFANCE-12087-", "MAIL_FROM=portail@laigneville.fr",
				"DATA_TABLE=data", "SESSION_TABLE=sessions", "CUTOFF_WORKING_DAYS=2", "CUTOFF_HOUR=10",
				"BASE_URL=https://portail.example.fr", "AWS_REGION=eu-west-3", "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local",
				"SECRET_KEY_PARAMETER=" + c.param, "AWS_ENDPOINT_URL_SSM=" + p.URL}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			if c.want == "" {
				select {
				case <-polled:
				case err := <-exited:
					t.Fatalf("exited (%v): %s", err, stderr.String())
				case <-time.After(10 * time.Second):
					t.Fatal("no poll")
				}
				for p.Reads() == 0 {
					time.Sleep(time.Millisecond) // the key is read, and the function goes on waiting
				}
				select {
				case err := <-exited:
					t.Fatalf("exited with a good key (%v): %s", err, stderr.String())
				case <-time.After(200 * time.Millisecond):
				}
				_ = cmd.Process.Kill()
				<-exited
				return
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running with a bad key: %s", stderr.String())
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("exit: %v, stderr %s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), c.want) || strings.Contains(stderr.String(), strings.Repeat("s", 40)) {
				t.Fatalf("stderr %q, want %q", stderr.String(), c.want)
			}
		})
	}
}
