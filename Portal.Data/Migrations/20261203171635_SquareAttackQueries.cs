using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class SquareAttackQueries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "queries",
                table: "results",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "queries",
                table: "jobs",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Queries",
                table: "job_items",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "queries",
                table: "results");

            migrationBuilder.DropColumn(
                name: "queries",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Queries",
                table: "job_items");
        }
    }
}
