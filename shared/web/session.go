package web

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/preau/preau/shared/accounts"
	"github.com/preau/preau/shared/fault"
)

// Viewer is the signed-in parent making the request. The account rules define it, so that
// they resolve sessions without importing this package (HTTP depends on the domain, not the
// reverse): accounts.NewSessionResolver satisfies SessionResolver as it is.
type Viewer = accounts.Viewer

// SessionResolver finds the viewer behind a session token; (nil, nil) means no valid session
// (unknown, expired, or ended by a password change).
type SessionResolver interface {
	ResolveSession(ctx context.Context, token string) (*Viewer, error)
}

// WithViewer returns ctx carrying v (used by the middleware, and by tests).
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey, v)
}

// ViewerFrom returns the signed-in parent, or nil.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey).(*Viewer)
	return v
}

// Cookies names and writes the portal's cookies. Deployed, they are Secure with the __Host-
// prefix; the local stack over plain http sets Insecure (COOKIE_INSECURE=1, local only).
type Cookies struct{ Insecure bool }

func (c Cookies) name(base string) string {
	if c.Insecure {
		return "preau_" + base
	}
	return "__Host-preau_" + base
}

// SessionToken returns the session token sent with r, or "".
func (c Cookies) SessionToken(r *http.Request) string {
	if ck, err := r.Cookie(c.name("session")); err == nil {
		return ck.Value
	}
	return ""
}

// SetSession stores the session token in an HttpOnly, SameSite=Lax cookie until expires. The
// browser keeps it for expires-now (Max-Age, which wins over Expires), both read from the
// portal's clock: the wall clock would give a local run whose clock is set elsewhere a cookie
// already dead, or one that outlives its session by months.
func (c Cookies) SetSession(w http.ResponseWriter, token string, expires, now time.Time) {
	http.SetCookie(w, &http.Cookie{Name: c.name("session"), Value: token, Path: "/", Expires: expires,
		MaxAge: int(expires.Sub(now).Seconds()), HttpOnly: true, Secure: !c.Insecure, SameSite: http.SameSiteLaxMode})
}

// ClearSession removes the session cookie.
func (c Cookies) ClearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.name("session"), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !c.Insecure, SameSite: http.SameSiteLaxMode})
}

// SetFlash leaves a one-time message for the next page (after a redirect).
func (c Cookies) SetFlash(w http.ResponseWriter, message string) {
	http.SetCookie(w, &http.Cookie{Name: c.name("flash"), Value: base64.RawURLEncoding.EncodeToString([]byte(message)),
		Path: "/", MaxAge: 60, HttpOnly: true, Secure: !c.Insecure, SameSite: http.SameSiteLaxMode})
}

// TakeFlash returns the pending message, if any, and clears it.
func (c Cookies) TakeFlash(w http.ResponseWriter, r *http.Request) string {
	ck, err := r.Cookie(c.name("flash"))
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: c.name("flash"), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !c.Insecure, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}

// Authenticate resolves the session cookie of every request into a Viewer in the context.
// A lookup failure is logged and the request goes on anonymous: public pages stay up.
func Authenticate(res SessionResolver, c Cookies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tok := c.SessionToken(r); tok != "" {
			v, err := res.ResolveSession(r.Context(), tok)
			if err != nil {
				slog.ErrorContext(r.Context(), "session lookup failed", "err", err.Error())
			} else if v != nil {
				r = r.WithContext(WithViewer(r.Context(), v))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// SignedIn returns the wrapper of a signed-in parent's routes: the session cookie resolved
// (Authenticate), then only signed-in parents let through (RequireViewer).
func SignedIn(res SessionResolver, c Cookies) func(http.HandlerFunc) http.Handler {
	return func(f http.HandlerFunc) http.Handler { return Authenticate(res, c, RequireViewer(f)) }
}

// Open returns the wrapper of routes open to anyone that still know a signed-in parent (the
// layout offers "Se déconnecter", a page its shortcuts): the session cookie resolved
// (Authenticate), anonymous callers let through. Without a resolver the routes stay anonymous.
func Open(res SessionResolver, c Cookies) func(http.HandlerFunc) http.Handler {
	return func(f http.HandlerFunc) http.Handler {
		if res == nil {
			return f
		}
		return Authenticate(res, c, f)
	}
}

// ErrUnauthenticated is the refusal of a signed-in-only route to an anonymous caller.
var ErrUnauthenticated = fault.New(fault.Unauthenticated, "unauthenticated", "Connexion requise",
	"Vous devez être connecté pour accéder à cette page.")

// RequireViewer lets only signed-in parents through: the API answers 401, pages redirect to
// the home page's login form and come back after it.
func RequireViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ViewerFrom(r.Context()) != nil {
			next.ServeHTTP(w, r)
			return
		}
		if IsAPI(r) || r.Method != http.MethodGet {
			Error(w, r, ErrUnauthenticated)
			return
		}
		http.Redirect(w, r, "/?suivant="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	})
}

// SafeNext returns next if it is a local path (never another site), else fallback.
func SafeNext(next, fallback string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || len(next) < 1 || next[0] != '/' ||
		(len(next) > 1 && (next[1] == '/' || next[1] == '\\')) {
		return fallback
	}
	return next
}
