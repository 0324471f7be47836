using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class Workers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Deaths",
                table: "jobs",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<double>(
                name: "EtaSeconds",
                table: "jobs",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastDeath",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "LeaseUntil",
                table: "jobs",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Queue",
                table: "jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "UpdatedAt",
                table: "jobs",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "LastDeath",
                table: "encoders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ValidatingWorker",
                table: "encoders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ValidationDeaths",
                table: "encoders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "workers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Host = table.Column<string>(type: "TEXT", nullable: false),
                    ProcessId = table.Column<int>(type: "INTEGER", nullable: false),
                    Device = table.Column<string>(type: "TEXT", nullable: false),
                    Queues = table.Column<string>(type: "TEXT", nullable: false),
                    Threads = table.Column<int>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    HeartbeatAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    CurrentJobId = table.Column<int>(type: "INTEGER", nullable: true),
                    CurrentValidationId = table.Column<int>(type: "INTEGER", nullable: true),
                    StoppedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ExitReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_UpdatedAt",
                table: "jobs",
                column: "UpdatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_workers_HeartbeatAt",
                table: "workers",
                column: "HeartbeatAt");

            migrationBuilder.CreateIndex(
                name: "IX_workers_Name",
                table: "workers",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "workers");

            migrationBuilder.DropIndex(
                name: "IX_jobs_UpdatedAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Deaths",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "EtaSeconds",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LastDeath",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LeaseUntil",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "Queue",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "UpdatedAt",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "LastDeath",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ValidatingWorker",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ValidationDeaths",
                table: "encoders");
        }
    }
}
