"""What people read: the printed lines, results folders with their manifest, figures, the HTML
report, the Excel workbook, and the lookup of one address or cluster."""
