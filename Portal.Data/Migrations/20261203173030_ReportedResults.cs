using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportedResults : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ReportedBackbone",
                table: "encoders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReportedMethod",
                table: "encoders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReportedTraining",
                table: "encoders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "reported_results",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Paper = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    PaperTitle = table.Column<string>(type: "TEXT", nullable: true),
                    Table = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Row = table.Column<int>(type: "INTEGER", nullable: false),
                    Method = table.Column<string>(type: "TEXT", nullable: false),
                    Encoder = table.Column<string>(type: "TEXT", nullable: false),
                    Training = table.Column<string>(type: "TEXT", nullable: false),
                    Benchmark = table.Column<string>(type: "TEXT", nullable: false),
                    Split = table.Column<string>(type: "TEXT", nullable: false),
                    Metric = table.Column<string>(type: "TEXT", nullable: false),
                    Threat = table.Column<string>(type: "TEXT", nullable: false),
                    Eps = table.Column<string>(type: "TEXT", nullable: false),
                    ValueText = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<double>(type: "REAL", nullable: true),
                    Reference = table.Column<string>(type: "TEXT", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: false),
                    Source = table.Column<string>(type: "TEXT", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reported_results", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_reported_results_Method_Encoder_Training",
                table: "reported_results",
                columns: new[] { "Method", "Encoder", "Training" });

            migrationBuilder.CreateIndex(
                name: "IX_reported_results_Paper_Table_Row",
                table: "reported_results",
                columns: new[] { "Paper", "Table", "Row" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "reported_results");

            migrationBuilder.DropColumn(
                name: "ReportedBackbone",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ReportedMethod",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ReportedTraining",
                table: "encoders");
        }
    }
}
