using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class FareLineage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "options",
                table: "results",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "options",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ParentEncoderId",
                table: "encoders",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_encoders_ParentEncoderId",
                table: "encoders",
                column: "ParentEncoderId");

            migrationBuilder.AddForeignKey(
                name: "FK_encoders_encoders_ParentEncoderId",
                table: "encoders",
                column: "ParentEncoderId",
                principalTable: "encoders",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_encoders_encoders_ParentEncoderId",
                table: "encoders");

            migrationBuilder.DropIndex(
                name: "IX_encoders_ParentEncoderId",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "options",
                table: "results");

            migrationBuilder.DropColumn(
                name: "options",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "ParentEncoderId",
                table: "encoders");
        }
    }
}
