package dynamotest

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestNewMakesUsableTablesAndDropsThem(t *testing.T) {
	var env *Env
	t.Run("use", func(t *testing.T) {
		env = New(t)
		ctx := context.Background()
		item := map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "FAMILY#1"}, "SK": &types.AttributeValueMemberS{Value: "META"},
			"GSI1PK": &types.AttributeValueMemberS{Value: "X"}, "GSI1SK": &types.AttributeValueMemberS{Value: "Y"},
		}
		if _, err := env.Client.PutItem(ctx, &dynamodb.PutItemInput{TableName: &env.DataTable, Item: item}); err != nil {
			t.Fatal(err)
		}
		out, err := env.Client.Query(ctx, &dynamodb.QueryInput{TableName: &env.DataTable, IndexName: aws.String("GSI1"),
			KeyConditionExpression:    aws.String("GSI1PK = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "X"}}})
		if err != nil || out.Count != 1 {
			t.Fatalf("GSI1 query: %v, %v", out, err)
		}
		if _, err := env.Client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &env.SessionTable}); err != nil {
			t.Fatal(err)
		}
	})
	_, err := env.Client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: &env.DataTable})
	var missing *types.ResourceNotFoundException
	if err == nil {
		t.Errorf("table %s still exists after the test", env.DataTable)
	} else if !errors.As(err, &missing) {
		t.Errorf("describe after cleanup: %v", err)
	}
}
