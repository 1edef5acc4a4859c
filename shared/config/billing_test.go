package config

import (
	"strings"
	"testing"
)

func TestBillingFromEnv(t *testing.T) {
	set := func(t *testing.T, saisie, url string) {
		t.Setenv("PAYFIP_NUMCLI", "012345")
		t.Setenv("PAYFIP_SAISIE", saisie)
		t.Setenv("PAYFIP_URL", url)
		t.Setenv("REGIE_NAME", "Régie périscolaire")
		t.Setenv("INVOICE_DUE_DAYS", "")
	}
	cases := []struct {
		saisie, url, wantErr string
	}{
		{"W", "https://www.payfip.gouv.fr", ""},
		{"X", "https://www.tipi.budget.gouv.fr/", ""},
		{"T", "http://127.0.0.1:8153", ""},
		{"W", "http://127.0.0.1:8153", "not PayFiP"},
		{"X", "https://payfip.example.org", "not PayFiP"},
		{"W", "http://www.payfip.gouv.fr", "over https"},
		{"Y", "https://www.payfip.gouv.fr", "PAYFIP_SAISIE"},
	}
	for _, c := range cases {
		t.Run(c.saisie+" "+c.url, func(t *testing.T) {
			set(t, c.saisie, c.url)
			b, err := BillingFromEnv()
			if c.wantErr == "" {
				if err != nil || b.DueDays != 30 || b.PayFiP == nil {
					t.Fatalf("BillingFromEnv = %+v, %v", b, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("error %v, want one about %q", err, c.wantErr)
			}
		})
	}
	t.Run("due days", func(t *testing.T) {
		set(t, "T", "http://127.0.0.1:1")
		t.Setenv("INVOICE_DUE_DAYS", "45")
		if b, err := BillingFromEnv(); err != nil || b.DueDays != 45 {
			t.Fatalf("= %+v, %v", b, err)
		}
		t.Setenv("INVOICE_DUE_DAYS", "0")
		if _, err := BillingFromEnv(); err == nil {
			t.Fatal("0 days accepted")
		}
	})
	t.Run("numcli", func(t *testing.T) {
		set(t, "T", "http://127.0.0.1:1")
		t.Setenv("PAYFIP_NUMCLI", "12345")
		if _, err := BillingFromEnv(); err == nil || !strings.Contains(err.Error(), "PAYFIP_NUMCLI") {
			t.Fatalf("5-digit numcli: %v", err)
		}
	})
}
