package store

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// A failed delete of a feed's items names their kinds, never the member's e-mail or the
// token's hash of their keys (the error is logged).
func TestDeleteErrorNamesNoKeyValue(t *testing.T) {
	s := New(dynamodb.New(dynamodb.Options{Region: "eu-west-3", Credentials: aws.AnonymousCredentials{}}), Tables{Data: "data", Session: "sessions"})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // every call fails before leaving the process
	const email = "anne.martin@example.org"
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	for _, k := range [][2]string{{familyPK("f_a"), memberFeedSK(email)}, {feedPK(hash), skFeed}} {
		err := s.deleteItem(ctx, k[0], k[1])
		if err == nil {
			t.Fatal("no error with a cancelled context")
		}
		if strings.Contains(err.Error(), email) || strings.Contains(err.Error(), hash) {
			t.Errorf("error %q names the key", err)
		}
	}
}
