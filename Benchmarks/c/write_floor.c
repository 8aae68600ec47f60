/* The xlsx write floor: the benchmark's report rows written by libxlsxwriter from C in
 * constant-memory mode, with the same header format as idbatch's writer.
 * usage: write_floor OUT.xlsx ROWS */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    long rows = atol(argv[2]);
    lxw_workbook_options options;
    memset(&options, 0, sizeof options);
    options.constant_memory = 1;
    lxw_workbook *wb = workbook_new_opt(argv[1], &options);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Informe");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    char text[128];
    for (int c = 0; c < 16; c++) {
        snprintf(text, sizeof text, "columna_%d", c);
        worksheet_write_string(ws, 0, c, text, bold);
    }
    for (long r = 1; r <= rows; r++) {
        for (int c = 0; c < 16; c++) {
            if (c % 4 == 3) {
                worksheet_write_number(ws, r, c, r * 1.5 + c, NULL);
            } else {
                snprintf(text, sizeof text, "valor %ld-%d José Peña", r, c);
                worksheet_write_string(ws, r, c, text, NULL);
            }
        }
    }
    return workbook_close(wb) == LXW_NO_ERROR ? 0 : 1;
}
