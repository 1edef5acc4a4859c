package sestest

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ses"
	"github.com/aws/aws-sdk-go-v2/service/ses/types"
)

func TestMailboxSeesSentMail(t *testing.T) {
	box := Mailbox(t)
	to := "Parent-" + rand.Text()[:8] + "@Example.org"
	client := ses.New(ses.Options{Region: "eu-west-3", BaseEndpoint: aws.String(box.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	_, err := client.SendEmail(context.Background(), &ses.SendEmailInput{
		Source:      aws.String("portail-famille@laigneville.fr"),
		Destination: &types.Destination{ToAddresses: []string{"Famille Martin <" + to + ">"}},
		Message: &types.Message{
			Subject: &types.Content{Data: aws.String("Confirmez votre adresse")},
			Body: &types.Body{Text: &types.Content{Data: aws.String("Bonjour")},
				Html: &types.Content{Data: aws.String("<p>Bonjour</p>")}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := box.WaitFor(strings.ToLower(to), "Confirmez", 5*time.Second)
	if m.From != "portail-famille@laigneville.fr" || m.Text != "Bonjour" || m.HTML != "<p>Bonjour</p>" {
		t.Errorf("message = %+v", m)
	}
	if n := len(box.Messages("someone-else@example.org")); n != 0 {
		t.Errorf("mail leaked to another address: %d", n)
	}
}
