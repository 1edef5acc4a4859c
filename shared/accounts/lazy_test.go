package accounts

import (
	"os"
	"os/exec"
	"testing"
)

// TestCommonListIsLazy runs in a fresh process (this test binary, this test alone), so that no
// other test has touched the list: importing the package must not parse it, the first check must.
func TestCommonListIsLazy(t *testing.T) {
	if os.Getenv("PREAU_LAZY_CHILD") == "1" {
		if n := commonListLoads.Load(); n != 0 {
			t.Fatalf("list parsed %d times before first use", n)
		}
		if !IsCommonPassword("Password1") {
			t.Fatal("Password1 is not common")
		}
		IsCommonPassword("azerty")
		if n := commonListLoads.Load(); n != 1 {
			t.Fatalf("list parsed %d times after use, want 1", n)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommonListIsLazy$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PREAU_LAZY_CHILD=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
