using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Portal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AspNetRoles",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUsers",
                columns: table => new
                {
                    Id = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedUserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    Email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    NormalizedEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    EmailConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: true),
                    SecurityStamp = table.Column<string>(type: "text", nullable: true),
                    ConcurrencyStamp = table.Column<string>(type: "text", nullable: true),
                    PhoneNumber = table.Column<string>(type: "text", nullable: true),
                    PhoneNumberConfirmed = table.Column<bool>(type: "boolean", nullable: false),
                    TwoFactorEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    LockoutEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LockoutEnabled = table.Column<bool>(type: "boolean", nullable: false),
                    AccessFailedCount = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUsers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "benchmarks",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "text", nullable: false),
                    TaskKind = table.Column<string>(type: "text", nullable: false),
                    Format = table.Column<string>(type: "text", nullable: false),
                    DatasetRoot = table.Column<string>(type: "text", nullable: false),
                    Split = table.Column<string>(type: "text", nullable: false),
                    Splits = table.Column<string>(type: "text", nullable: false),
                    ItemCount = table.Column<int>(type: "integer", nullable: false),
                    VersionHash = table.Column<string>(type: "text", nullable: false),
                    IsDemo = table.Column<bool>(type: "boolean", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_benchmarks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "dataset_fetches",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Dataset = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Phase = table.Column<string>(type: "text", nullable: true),
                    BytesDone = table.Column<long>(type: "bigint", nullable: false),
                    BytesTotal = table.Column<long>(type: "bigint", nullable: true),
                    Root = table.Column<string>(type: "text", nullable: true),
                    FilesJson = table.Column<string>(type: "text", nullable: true),
                    BenchmarkId = table.Column<int>(type: "integer", nullable: true),
                    Error = table.Column<string>(type: "text", nullable: true),
                    WorkerId = table.Column<string>(type: "text", nullable: true),
                    Deaths = table.Column<int>(type: "integer", nullable: false),
                    RequestedBy = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_dataset_fetches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "encoders",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DisplayName = table.Column<string>(type: "text", nullable: false),
                    Family = table.Column<string>(type: "text", nullable: true),
                    Backbone = table.Column<string>(type: "text", nullable: true),
                    Architecture = table.Column<string>(type: "text", nullable: true),
                    ArchitectureOverride = table.Column<string>(type: "text", nullable: true),
                    EmbeddingDim = table.Column<int>(type: "integer", nullable: true),
                    ParameterCount = table.Column<long>(type: "bigint", nullable: true),
                    Format = table.Column<string>(type: "text", nullable: true),
                    Sha256 = table.Column<string>(type: "text", nullable: true),
                    SizeBytes = table.Column<long>(type: "bigint", nullable: false),
                    StoragePath = table.Column<string>(type: "text", nullable: true),
                    OwnsFile = table.Column<bool>(type: "boolean", nullable: false),
                    IsBuiltin = table.Column<bool>(type: "boolean", nullable: false),
                    Submitter = table.Column<string>(type: "text", nullable: true),
                    SubmittedBy = table.Column<string>(type: "text", nullable: true),
                    Description = table.Column<string>(type: "text", nullable: true),
                    PaperUrl = table.Column<string>(type: "text", nullable: true),
                    LicenseUrl = table.Column<string>(type: "text", nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RejectReason = table.Column<string>(type: "text", nullable: true),
                    InfoJson = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ValidatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ValidationDeaths = table.Column<int>(type: "integer", nullable: false),
                    ValidatingWorker = table.Column<string>(type: "text", nullable: true),
                    LastDeath = table.Column<string>(type: "text", nullable: true),
                    ParentEncoderId = table.Column<int>(type: "integer", nullable: true),
                    TorchScriptApproved = table.Column<bool>(type: "boolean", nullable: false),
                    MlpHeadPath = table.Column<string>(type: "text", nullable: true),
                    LoraPath = table.Column<string>(type: "text", nullable: true),
                    ReportedMethod = table.Column<string>(type: "text", nullable: true),
                    ReportedBackbone = table.Column<string>(type: "text", nullable: true),
                    ReportedTraining = table.Column<string>(type: "text", nullable: true),
                    TrainingData = table.Column<string>(type: "text", nullable: true),
                    SourceUrl = table.Column<string>(type: "text", nullable: true),
                    SourceRevision = table.Column<string>(type: "text", nullable: true),
                    SourceFile = table.Column<string>(type: "text", nullable: true),
                    DownloadUrl = table.Column<string>(type: "text", nullable: true),
                    ExpectedSha256 = table.Column<string>(type: "text", nullable: true),
                    ImportedBytes = table.Column<long>(type: "bigint", nullable: true),
                    ImportTotalBytes = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_encoders", x => x.Id);
                    table.ForeignKey(
                        name: "FK_encoders_encoders_ParentEncoderId",
                        column: x => x.ParentEncoderId,
                        principalTable: "encoders",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "job_items",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    ItemId = table.Column<string>(type: "text", nullable: false),
                    Split = table.Column<string>(type: "text", nullable: false),
                    Label = table.Column<float>(type: "real", nullable: false),
                    CleanCorrect = table.Column<bool>(type: "boolean", nullable: false),
                    RobustCorrect = table.Column<bool>(type: "boolean", nullable: true),
                    Margin = table.Column<double>(type: "double precision", nullable: false),
                    RobustMargin = table.Column<double>(type: "double precision", nullable: true),
                    LpipsScore = table.Column<double>(type: "double precision", nullable: true),
                    PerturbationNorm = table.Column<double>(type: "double precision", nullable: true),
                    RangeViolation = table.Column<double>(type: "double precision", nullable: true),
                    Queries = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_job_items", x => x.Id);
                });

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

            migrationBuilder.CreateTable(
                name: "workers",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Host = table.Column<string>(type: "text", nullable: false),
                    ProcessId = table.Column<int>(type: "integer", nullable: false),
                    Device = table.Column<string>(type: "text", nullable: false),
                    Queues = table.Column<string>(type: "text", nullable: false),
                    Threads = table.Column<int>(type: "integer", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    HeartbeatAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CurrentJobId = table.Column<int>(type: "integer", nullable: true),
                    CurrentValidationId = table.Column<int>(type: "integer", nullable: true),
                    StoppedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ExitReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_workers", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AspNetRoleClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoleId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetRoleClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetRoleClaims_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "api_tokens",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Prefix = table.Column<string>(type: "text", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastUsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_api_tokens", x => x.Id);
                    table.ForeignKey(
                        name: "FK_api_tokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserClaims",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "text", nullable: false),
                    ClaimType = table.Column<string>(type: "text", nullable: true),
                    ClaimValue = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserClaims", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AspNetUserClaims_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserLogins",
                columns: table => new
                {
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    ProviderKey = table.Column<string>(type: "text", nullable: false),
                    ProviderDisplayName = table.Column<string>(type: "text", nullable: true),
                    UserId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserLogins", x => new { x.LoginProvider, x.ProviderKey });
                    table.ForeignKey(
                        name: "FK_AspNetUserLogins_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserRoles",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    RoleId = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserRoles", x => new { x.UserId, x.RoleId });
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetRoles_RoleId",
                        column: x => x.RoleId,
                        principalTable: "AspNetRoles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_AspNetUserRoles_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "AspNetUserTokens",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "text", nullable: false),
                    LoginProvider = table.Column<string>(type: "text", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Value = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AspNetUserTokens", x => new { x.UserId, x.LoginProvider, x.Name });
                    table.ForeignKey(
                        name: "FK_AspNetUserTokens_AspNetUsers_UserId",
                        column: x => x.UserId,
                        principalTable: "AspNetUsers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EncoderId = table.Column<int>(type: "integer", nullable: false),
                    BenchmarkId = table.Column<int>(type: "integer", nullable: false),
                    Preset = table.Column<string>(type: "text", nullable: false),
                    ConfigKey = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Done = table.Column<int>(type: "integer", nullable: false),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    RobustAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    Phase = table.Column<string>(type: "text", nullable: true),
                    EtaSeconds = table.Column<double>(type: "double precision", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    Error = table.Column<string>(type: "text", nullable: true),
                    ErrorStack = table.Column<string>(type: "text", nullable: true),
                    WorkerId = table.Column<string>(type: "text", nullable: true),
                    Queue = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LeaseUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Deaths = table.Column<int>(type: "integer", nullable: false),
                    LastDeath = table.Column<string>(type: "text", nullable: true),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    CancelRequested = table.Column<bool>(type: "boolean", nullable: false),
                    ResultId = table.Column<int>(type: "integer", nullable: true),
                    ReusedResult = table.Column<bool>(type: "boolean", nullable: false),
                    SubmittedBy = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    attack = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    eps = table.Column<double>(type: "double precision", nullable: false),
                    iterations = table.Column<int>(type: "integer", nullable: false),
                    sample_limit = table.Column<int>(type: "integer", nullable: true),
                    norm = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    options = table.Column<string>(type: "text", nullable: true),
                    queries = table.Column<int>(type: "integer", nullable: true),
                    restarts = table.Column<int>(type: "integer", nullable: false),
                    seed = table.Column<int>(type: "integer", nullable: false)
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<int>(type: "integer", nullable: false),
                    EncoderId = table.Column<int>(type: "integer", nullable: false),
                    BenchmarkId = table.Column<int>(type: "integer", nullable: false),
                    EncoderSha256 = table.Column<string>(type: "text", nullable: false),
                    BenchmarkVersion = table.Column<string>(type: "text", nullable: false),
                    ConfigKey = table.Column<string>(type: "text", nullable: false),
                    N = table.Column<int>(type: "integer", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "double precision", nullable: false),
                    RobustAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    SkippedItems = table.Column<int>(type: "integer", nullable: false),
                    SanityPassed = table.Column<bool>(type: "boolean", nullable: false),
                    SanityJson = table.Column<string>(type: "text", nullable: false),
                    FullJson = table.Column<string>(type: "text", nullable: false),
                    EngineVersion = table.Column<string>(type: "text", nullable: false),
                    Device = table.Column<string>(type: "text", nullable: false),
                    WallSeconds = table.Column<double>(type: "double precision", nullable: false),
                    ArtifactsDir = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    attack = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    eps = table.Column<double>(type: "double precision", nullable: false),
                    iterations = table.Column<int>(type: "integer", nullable: false),
                    sample_limit = table.Column<int>(type: "integer", nullable: true),
                    norm = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    options = table.Column<string>(type: "text", nullable: true),
                    queries = table.Column<int>(type: "integer", nullable: true),
                    restarts = table.Column<int>(type: "integer", nullable: false),
                    seed = table.Column<int>(type: "integer", nullable: false)
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ResultId = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    N = table.Column<int>(type: "integer", nullable: false),
                    CleanAccuracy = table.Column<double>(type: "double precision", nullable: false),
                    RobustAccuracy = table.Column<double>(type: "double precision", nullable: true),
                    LpipsScore = table.Column<double>(type: "double precision", nullable: true)
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
                name: "IX_api_tokens_Hash",
                table: "api_tokens",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_api_tokens_UserId",
                table: "api_tokens",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetRoleClaims_RoleId",
                table: "AspNetRoleClaims",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "RoleNameIndex",
                table: "AspNetRoles",
                column: "NormalizedName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserClaims_UserId",
                table: "AspNetUserClaims",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserLogins_UserId",
                table: "AspNetUserLogins",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_AspNetUserRoles_RoleId",
                table: "AspNetUserRoles",
                column: "RoleId");

            migrationBuilder.CreateIndex(
                name: "EmailIndex",
                table: "AspNetUsers",
                column: "NormalizedEmail");

            migrationBuilder.CreateIndex(
                name: "UserNameIndex",
                table: "AspNetUsers",
                column: "NormalizedUserName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_benchmarks_Name",
                table: "benchmarks",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_dataset_fetches_Status_Id",
                table: "dataset_fetches",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_encoders_ParentEncoderId",
                table: "encoders",
                column: "ParentEncoderId");

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
                name: "IX_jobs_UpdatedAt",
                table: "jobs",
                column: "UpdatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_reported_results_Method_Encoder_Training",
                table: "reported_results",
                columns: new[] { "Method", "Encoder", "Training" });

            migrationBuilder.CreateIndex(
                name: "IX_reported_results_Paper_Table_Row",
                table: "reported_results",
                columns: new[] { "Paper", "Table", "Row" },
                unique: true);

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
                name: "api_tokens");

            migrationBuilder.DropTable(
                name: "AspNetRoleClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserClaims");

            migrationBuilder.DropTable(
                name: "AspNetUserLogins");

            migrationBuilder.DropTable(
                name: "AspNetUserRoles");

            migrationBuilder.DropTable(
                name: "AspNetUserTokens");

            migrationBuilder.DropTable(
                name: "dataset_fetches");

            migrationBuilder.DropTable(
                name: "job_items");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "reported_results");

            migrationBuilder.DropTable(
                name: "result_splits");

            migrationBuilder.DropTable(
                name: "workers");

            migrationBuilder.DropTable(
                name: "AspNetRoles");

            migrationBuilder.DropTable(
                name: "AspNetUsers");

            migrationBuilder.DropTable(
                name: "results");

            migrationBuilder.DropTable(
                name: "benchmarks");

            migrationBuilder.DropTable(
                name: "encoders");
        }
    }
}
