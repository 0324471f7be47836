using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Postgres.Migrations
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
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReportedMethod",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReportedTraining",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "reported_results",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Paper = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    PaperTitle = table.Column<string>(type: "text", nullable: true),
                    Table = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Row = table.Column<int>(type: "integer", nullable: false),
                    Method = table.Column<string>(type: "text", nullable: false),
                    Encoder = table.Column<string>(type: "text", nullable: false),
                    Training = table.Column<string>(type: "text", nullable: false),
                    Benchmark = table.Column<string>(type: "text", nullable: false),
                    Split = table.Column<string>(type: "text", nullable: false),
                    Metric = table.Column<string>(type: "text", nullable: false),
                    Threat = table.Column<string>(type: "text", nullable: false),
                    Eps = table.Column<string>(type: "text", nullable: false),
                    ValueText = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<double>(type: "double precision", nullable: true),
                    Reference = table.Column<string>(type: "text", nullable: false),
                    Note = table.Column<string>(type: "text", nullable: false),
                    Source = table.Column<string>(type: "text", nullable: false),
                    ImportedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
