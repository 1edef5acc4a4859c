// Command staffadmin creates staff accounts of the back-office (/gestion/), writing through the
// store, with the same rules as the back-office itself (password rule, argon2id hash). It is
// how a commune's first staff account is made, locally or against a deployed stack; the staff
// member then enrols a second factor (QR code) at their first login.
//
//	# against the local stack of `make run` (DynamoDB's address is in its banner):
//	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 AWS_REGION=eu-west-3 AWS_ACCESS_KEY_ID=local \
//	AWS_SECRET_ACCESS_KEY=local DATA_TABLE=preau-data \
//	go run ./infra/staffadmin create -email agent@mairie.fr -name "Claire Lemaire" < password.txt
//
//	# against a deployed stack (AWS credentials of an administrator; table name from the stack):
//	DATA_TABLE=<DataTable physical name> go run ./infra/staffadmin create -email … -name …
//
//	# the current code of a TOTP secret (the demo's published one, for trying the demo):
//	go run ./infra/staffadmin code -secret PREAUDEMOGESTIONLAIGNEVILLEDEMOA
//
// The password is read from the first line of standard input (never from the command line,
// which shell histories and process lists keep).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/preau/preau/shared/accounts/argon2id"
	"github.com/preau/preau/shared/staff"
	"github.com/preau/preau/shared/staff/totp"
	"github.com/preau/preau/shared/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, nil, time.Now()); err != nil {
		fmt.Fprintln(os.Stderr, "staffadmin:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  staffadmin create -email <e-mail> -name <full name>   (password on standard input)
  staffadmin code -secret <base32 TOTP secret>`

// run executes one command; members is the store to write to (nil: the one the environment
// names, DATA_TABLE through the AWS SDK's usual settings).
func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer, members staff.Members, now time.Time) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("create", flag.ContinueOnError)
		email := fs.String("email", "", "the staff member's e-mail (their login)")
		name := fs.String("name", "", "their full name, shown in the journal")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if members == nil {
			table := os.Getenv("DATA_TABLE")
			if table == "" {
				return errors.New("DATA_TABLE is not set")
			}
			// The SDK's default chain: an administrator's profile, SSO or environment.
			awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
			if err != nil {
				return fmt.Errorf("aws config: %w", err)
			}
			members = store.NewFromConfig(awsCfg, store.Tables{Data: table, Session: os.Getenv("SESSION_TABLE")})
		}
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("password: %w", err)
		}
		svc := &staff.Service{Members: members, Passwords: argon2id.Default()}
		m, err := svc.NewMember(ctx, *email, *name, strings.TrimRight(line, "\r\n"), now)
		if errors.Is(err, staff.ErrExists) {
			return fmt.Errorf("%s already has a staff account", staff.NormaliseEmail(*email))
		}
		if err != nil {
			if p, ok := asFields(err); ok {
				return errors.New(p)
			}
			return err
		}
		fmt.Fprintf(stdout, "Staff account %s created: at the first login on /gestion/connexion, scan the QR code shown.\n", m.Email)
		return nil
	case "code":
		fs := flag.NewFlagSet("code", flag.ContinueOnError)
		secret := fs.String("secret", "", "base32 TOTP secret")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		code, err := totp.CodeAt(strings.ToUpper(strings.ReplaceAll(*secret, " ", "")), now)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, code)
		return nil
	default:
		return errors.New(usage)
	}
}
