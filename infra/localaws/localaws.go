// Package localaws connects to the local AWS stand-ins (dynalite for DynamoDB, aws-ses-v2-local
// for SES) and creates the tables of template.yaml on them. The local stack, the test environment
// and the test helpers share it, so that tables are made one way from one definition.
package localaws

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/preau/preau/infra/samtemplate"
)

// Environment variables that point the AWS SDK at the emulators.
const (
	EnvDynamoDB = "AWS_ENDPOINT_URL_DYNAMODB"
	EnvSES      = "AWS_ENDPOINT_URL_SES"
)

// Dummy credentials: the emulators check that requests are signed, not by whom.
const (
	AccessKeyID     = "local"
	SecretAccessKey = "local"
)

// Env returns the variables a process needs to reach the emulators at those endpoints.
func Env(dynamoEndpoint, sesEndpoint string) []string {
	return []string{
		EnvDynamoDB + "=" + dynamoEndpoint,
		EnvSES + "=" + sesEndpoint,
		"AWS_REGION=" + samtemplate.Region,
		"AWS_DEFAULT_REGION=" + samtemplate.Region,
		"AWS_ACCESS_KEY_ID=" + AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + SecretAccessKey,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// DynamoDB returns a client for the DynamoDB emulator at endpoint (e.g. http://127.0.0.1:8000).
func DynamoDB(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       samtemplate.Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(AccessKeyID, SecretAccessKey, ""),
	})
}

// DynamoDBFromEnv is DynamoDB at $AWS_ENDPOINT_URL_DYNAMODB; it fails when that is unset, since
// nothing local may fall back to real AWS.
func DynamoDBFromEnv() (*dynamodb.Client, error) {
	ep := os.Getenv(EnvDynamoDB)
	if ep == "" {
		return nil, fmt.Errorf("%s is not set", EnvDynamoDB)
	}
	return DynamoDB(ep), nil
}

// EnsureTables creates each table that does not exist yet, waits until all are ACTIVE and turns
// on their TTL where the emulator supports it (dynalite does not: it neither has the operation nor
// expires items, which is why Préau's code checks expiresAt itself).
func EnsureTables(ctx context.Context, c *dynamodb.Client, tables []samtemplate.Table) error {
	for _, t := range tables {
		in := t.CreateTableInput
		name := aws.ToString(in.TableName)
		if _, err := c.CreateTable(ctx, in); err != nil {
			var inUse *types.ResourceInUseException
			if !errors.As(err, &inUse) {
				return fmt.Errorf("create table %s: %w", name, err)
			}
		}
		if err := waitActive(ctx, c, name); err != nil {
			return err
		}
		if t.TTLAttribute == "" {
			continue
		}
		_, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)},
		})
		if err != nil && !unsupported(err) && !alreadyEnabled(err) {
			return fmt.Errorf("time to live on %s: %w", name, err)
		}
	}
	return nil
}

// DeleteTables deletes the named tables, ignoring those already gone.
func DeleteTables(ctx context.Context, c *dynamodb.Client, names ...string) error {
	var errs []error
	for _, n := range names {
		_, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(n)})
		var missing *types.ResourceNotFoundException
		if err != nil && !errors.As(err, &missing) {
			errs = append(errs, fmt.Errorf("delete table %s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// waitActive polls quickly: the SDK's waiter starts at 20 s, far too slow for an emulator.
func waitActive(ctx context.Context, c *dynamodb.Client, name string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			return fmt.Errorf("describe table %s: %w", name, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("table %s not active: %w", name, ctx.Err())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func unsupported(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "UnknownOperationException"
}

func alreadyEnabled(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "ValidationException" &&
		api.ErrorMessage() == "TimeToLive is already enabled"
}
