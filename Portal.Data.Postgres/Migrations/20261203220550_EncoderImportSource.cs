using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class EncoderImportSource : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DownloadUrl",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExpectedSha256",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ImportTotalBytes",
                table: "encoders",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ImportedBytes",
                table: "encoders",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceFile",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceRevision",
                table: "encoders",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SourceUrl",
                table: "encoders",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DownloadUrl",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ExpectedSha256",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ImportTotalBytes",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "ImportedBytes",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "SourceFile",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "SourceRevision",
                table: "encoders");

            migrationBuilder.DropColumn(
                name: "SourceUrl",
                table: "encoders");
        }
    }
}
