using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class DatasetTables : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Benchmarks, galleries and FARE image sets each get their own table (Portal.Data/Migrations/DatasetTablesMove.cs).
            foreach (var sql in Portal.Data.Migrations.DatasetTablesMove.Up(postgres: true)) migrationBuilder.Sql(sql);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var sql in Portal.Data.Migrations.DatasetTablesMove.Down(postgres: true)) migrationBuilder.Sql(sql);
        }
    }
}
