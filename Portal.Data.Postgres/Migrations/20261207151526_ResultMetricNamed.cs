using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ResultMetricNamed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "RobustAccuracy",
                table: "results",
                newName: "RobustValue");

            migrationBuilder.RenameColumn(
                name: "CleanAccuracy",
                table: "results",
                newName: "CleanValue");

            migrationBuilder.RenameColumn(
                name: "RobustAccuracy",
                table: "result_splits",
                newName: "RobustValue");

            migrationBuilder.RenameColumn(
                name: "CleanAccuracy",
                table: "result_splits",
                newName: "CleanValue");

            migrationBuilder.RenameColumn(
                name: "RobustAccuracy",
                table: "jobs",
                newName: "RobustValue");

            migrationBuilder.RenameColumn(
                name: "CleanAccuracy",
                table: "jobs",
                newName: "CleanValue");

            migrationBuilder.AddColumn<string>(
                name: "Metric",
                table: "results",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // Rows stored before this say nothing of their metric: it follows from their benchmark's task.
            migrationBuilder.Sql(Portal.Data.Migrations.ResultMetricBackfill.Sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Metric",
                table: "results");

            migrationBuilder.RenameColumn(
                name: "RobustValue",
                table: "results",
                newName: "RobustAccuracy");

            migrationBuilder.RenameColumn(
                name: "CleanValue",
                table: "results",
                newName: "CleanAccuracy");

            migrationBuilder.RenameColumn(
                name: "RobustValue",
                table: "result_splits",
                newName: "RobustAccuracy");

            migrationBuilder.RenameColumn(
                name: "CleanValue",
                table: "result_splits",
                newName: "CleanAccuracy");

            migrationBuilder.RenameColumn(
                name: "RobustValue",
                table: "jobs",
                newName: "RobustAccuracy");

            migrationBuilder.RenameColumn(
                name: "CleanValue",
                table: "jobs",
                newName: "CleanAccuracy");
        }
    }
}
