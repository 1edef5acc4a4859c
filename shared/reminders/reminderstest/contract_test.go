package reminderstest_test

import (
	"testing"

	"github.com/preau/preau/shared/reminders/reminderstest"
)

func TestFakeKeepsTheContract(t *testing.T) { reminderstest.Contract(t, reminderstest.FakeSubject) }
