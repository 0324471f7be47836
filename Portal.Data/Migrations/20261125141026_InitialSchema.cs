using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "benchmarks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    TaskKind = table.Column<string>(type: "TEXT", nullable: false),
                    Format = table.Column<string>(type: "TEXT", nullable: false),
                    DatasetRoot = table.Column<string>(type: "TEXT", nullable: false),
                    Split = table.Column<string>(type: "TEXT", nullable: false),
                    Splits = table.Column<string>(type: "TEXT", nullable: false),
                    ItemCount = table.Column<int>(type: "INTEGER", nullable: false),
                    VersionHash = table.Column<string>(type: "TEXT", nullable: false),
                    IsDemo = table.Column<bool>(type: "INTEGER", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_benchmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "encoders",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: false),
                    Family = table.Column<string>(type: "TEXT", nullable: true),
                    Backbone = table.Column<string>(type: "TEXT", nullable: true),
                    Architecture = table.Column<string>(type: "TEXT", nullable: true),
                    ArchitectureOverride = table.Column<string>(type: "TEXT", nullable: true),
                    EmbeddingDim = table.Column<int>(type: "INTEGER", nullable: true),
                    ParameterCount = table.Column<long>(type: "INTEGER", nullable: true),
                    Format = table.Column<string>(type: "TEXT", nullable: true),
                    Sha256 = table.Column<string>(type: "TEXT", nullable: true),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    StoragePath = table.Column<string>(type: "TEXT", nullable: true),
                    OwnsFile = table.Column<bool>(type: "INTEGER", nullable: false),
                    IsBuiltin = table.Column<bool>(type: "INTEGER", nullable: false),
                    Submitter = table.Column<string>(type: "TEXT", nullable: true),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    PaperUrl = table.Column<string>(type: "TEXT", nullable: true),
                    LicenseUrl = table.Column<string>(type: "TEXT", nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    RejectReason = table.Column<string>(type: "TEXT", nullable: true),
                    InfoJson = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ValidatedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_encoders", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "job_items",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemId = table.Column<string>(type: "TEXT", nullable: false),
                    Split = table.Column<string>(type: "TEXT", nullable: false),
                    Label = table.Column<float>(type: "REAL", nullable: false),
                    CleanCorrect = table.Column<bool>(type: "INTEGER", nullable: false),
                    RobustCorrect = table.Column<bool>(type: "INTEGER", nullable: true),
                    Margin = table.Column<double>(type: "REAL", nullable: false),
                    RobustMargin = table.Column<double>(type: "REAL", nullable: true),
                    LpipsScore = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_items", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EncoderId = table.Column<int>(type: "INTEGER", nullable: false),
                    BenchmarkId = table.Column<int>(type: "INTEGER", nullable: false),
                    Preset = table.Column<string>(type: "TEXT", nullable: false),
                    ConfigKey = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    RobustAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    Phase = table.Column<string>(type: "TEXT", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    ErrorStack = table.Column<string>(type: "TEXT", nullable: true),
                    WorkerId = table.Column<string>(type: "TEXT", nullable: true),
                    CancelRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    ResultId = table.Column<int>(type: "INTEGER", nullable: true),
                    ReusedResult = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    attack = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    eps = table.Column<double>(type: "REAL", nullable: false),
                    iterations = table.Column<int>(type: "INTEGER", nullable: false),
                    sample_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    norm = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    restarts = table.Column<int>(type: "INTEGER", nullable: false),
                    seed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_jobs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_jobs_benchmarks_BenchmarkId",
                        column: x => x.BenchmarkId,
                        principalTable: "benchmarks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_jobs_encoders_EncoderId",
                        column: x => x.EncoderId,
                        principalTable: "encoders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "results",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    JobId = table.Column<int>(type: "INTEGER", nullable: false),
                    EncoderId = table.Column<int>(type: "INTEGER", nullable: false),
                    BenchmarkId = table.Column<int>(type: "INTEGER", nullable: false),
                    EncoderSha256 = table.Column<string>(type: "TEXT", nullable: false),
                    BenchmarkVersion = table.Column<string>(type: "TEXT", nullable: false),
                    ConfigKey = table.Column<string>(type: "TEXT", nullable: false),
                    N = table.Column<int>(type: "INTEGER", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "REAL", nullable: false),
                    RobustAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    SkippedItems = table.Column<int>(type: "INTEGER", nullable: false),
                    SanityPassed = table.Column<bool>(type: "INTEGER", nullable: false),
                    SanityJson = table.Column<string>(type: "TEXT", nullable: false),
                    FullJson = table.Column<string>(type: "TEXT", nullable: false),
                    EngineVersion = table.Column<string>(type: "TEXT", nullable: false),
                    Device = table.Column<string>(type: "TEXT", nullable: false),
                    WallSeconds = table.Column<double>(type: "REAL", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    attack = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    eps = table.Column<double>(type: "REAL", nullable: false),
                    iterations = table.Column<int>(type: "INTEGER", nullable: false),
                    sample_limit = table.Column<int>(type: "INTEGER", nullable: true),
                    norm = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    restarts = table.Column<int>(type: "INTEGER", nullable: false),
                    seed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_results", x => x.Id);
                    table.ForeignKey(
                        name: "FK_results_benchmarks_BenchmarkId",
                        column: x => x.BenchmarkId,
                        principalTable: "benchmarks",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_results_encoders_EncoderId",
                        column: x => x.EncoderId,
                        principalTable: "encoders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "result_splits",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ResultId = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    N = table.Column<int>(type: "INTEGER", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "REAL", nullable: false),
                    RobustAccuracy = table.Column<double>(type: "REAL", nullable: true),
                    LpipsScore = table.Column<double>(type: "REAL", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_result_splits", x => x.Id);
                    table.ForeignKey(
                        name: "FK_result_splits_results_ResultId",
                        column: x => x.ResultId,
                        principalTable: "results",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_benchmarks_Name",
                table: "benchmarks",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_encoders_Sha256",
                table: "encoders",
                column: "Sha256",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_encoders_Status",
                table: "encoders",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_job_items_JobId_ItemId",
                table: "job_items",
                columns: new[] { "JobId", "ItemId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_jobs_BenchmarkId",
                table: "jobs",
                column: "BenchmarkId");

            migrationBuilder.CreateIndex(
                name: "IX_jobs_EncoderId_BenchmarkId_ConfigKey",
                table: "jobs",
                columns: new[] { "EncoderId", "BenchmarkId", "ConfigKey" });

            migrationBuilder.CreateIndex(
                name: "IX_jobs_Status_Id",
                table: "jobs",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_result_splits_ResultId_Name",
                table: "result_splits",
                columns: new[] { "ResultId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_results_BenchmarkId",
                table: "results",
                column: "BenchmarkId");

            migrationBuilder.CreateIndex(
                name: "IX_results_EncoderId",
                table: "results",
                column: "EncoderId");

            migrationBuilder.CreateIndex(
                name: "IX_results_EncoderSha256_BenchmarkVersion_ConfigKey",
                table: "results",
                columns: new[] { "EncoderSha256", "BenchmarkVersion", "ConfigKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_results_JobId",
                table: "results",
                column: "JobId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "job_items");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "result_splits");

            migrationBuilder.DropTable(
                name: "results");

            migrationBuilder.DropTable(
                name: "benchmarks");

            migrationBuilder.DropTable(
                name: "encoders");
        }
    }
}
