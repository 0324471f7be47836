using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class ItemSanityColumns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "PerturbationNorm",
                table: "job_items",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "RangeViolation",
                table: "job_items",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PerturbationNorm",
                table: "job_items");

            migrationBuilder.DropColumn(
                name: "RangeViolation",
                table: "job_items");
        }
    }
}
