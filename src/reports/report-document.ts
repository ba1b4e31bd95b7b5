/**
 * A report as a few kinds of block, so the HTML and the PDF say exactly the same thing: the report
 * builders produce blocks, the two renderers below only lay them out.
 */
export type Block =
  | { readonly kind: 'title' | 'heading' | 'subheading' | 'paragraph' | 'note'; readonly text: string }
  | { readonly kind: 'pairs'; readonly rows: readonly (readonly [string, string])[] }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | {
      readonly kind: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    };

export interface ReportDocument {
  readonly lang: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const style = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.5rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem}p.note{color:#555;font-size:.9rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.4rem 0}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f2f2f2}
@media print{body{margin:0}}`;

/** One self-contained HTML page: inline style, no scripts, no fonts, images or links to fetch. */
export function renderHtml(document: ReportDocument): string {
  const body = document.blocks
    .map((block) => {
      switch (block.kind) {
        case 'title':
          return `<h1>${escapeHtml(block.text)}</h1>`;
        case 'heading':
          return `<h2>${escapeHtml(block.text)}</h2>`;
        case 'subheading':
          return `<h3>${escapeHtml(block.text)}</h3>`;
        case 'paragraph':
          return `<p>${escapeHtml(block.text)}</p>`;
        case 'note':
          return `<p class="note">${escapeHtml(block.text)}</p>`;
        case 'pairs':
          return `<dl>${block.rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
        case 'list':
          return `<ul>${block.items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
        case 'table':
          return (
            `<table><thead><tr>${block.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead>` +
            `<tbody>${block.rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell).replaceAll('\n', '<br>')}</td>`).join('')}</tr>`).join('')}</tbody></table>`
          );
      }
    })
    .join('\n');
  return (
    `<!DOCTYPE html>\n<html lang="${document.lang}">\n<head>\n<meta charset="utf-8">\n` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(document.title)}</title>\n<style>${style}</style>\n</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

/**
 * The same document as an A4 PDF (pdfkit, pure JavaScript: no browser). The standard Helvetica fonts
 * cover Norwegian letters (WinAnsi), so nothing is embedded or fetched. Dated by `createdAt`, so the
 * same report renders to the same bytes.
 */
export async function renderPdf(document: ReportDocument, createdAt: Date): Promise<Buffer> {
  // pdfkit and its font tables load when a PDF is asked for, not with every command.
  const { default: PDFDocument } = await import('pdfkit');
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 56, right: 56 },
    info: { Title: document.title, Creator: 'pifu-hub', Producer: 'pifu-hub', CreationDate: createdAt },
    lang: document.lang,
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    pdf.on('end', resolve);
    pdf.on('error', reject);
  });
  const width = pdf.page.width - 112;
  for (const block of document.blocks) {
    switch (block.kind) {
      case 'title':
        pdf.font('Helvetica-Bold').fontSize(17).text(block.text, { width }).moveDown(0.6);
        break;
      case 'heading':
        pdf.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(block.text, { width });
        pdf
          .moveTo(56, pdf.y + 2)
          .lineTo(56 + width, pdf.y + 2)
          .strokeColor('#bbbbbb')
          .stroke()
          .moveDown(0.5);
        break;
      case 'subheading':
        pdf.moveDown(0.4).font('Helvetica-Bold').fontSize(11).text(block.text, { width }).moveDown(0.2);
        break;
      case 'paragraph':
        pdf.font('Helvetica').fontSize(10).fillColor('#000000').text(block.text, { width }).moveDown(0.4);
        break;
      case 'note':
        pdf.font('Helvetica-Oblique').fontSize(9).fillColor('#555555').text(block.text, { width });
        pdf.fillColor('#000000').moveDown(0.4);
        break;
      case 'pairs':
        for (const [label, value] of block.rows) {
          pdf.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { width, continued: true });
          pdf.font('Helvetica').text(value, { width });
        }
        pdf.moveDown(0.4);
        break;
      case 'list':
        pdf
          .font('Helvetica')
          .fontSize(10)
          .list([...block.items], { width, bulletRadius: 1.6 })
          .moveDown(0.4);
        break;
      case 'table':
        for (const row of block.rows) {
          block.header.forEach((label, index) => {
            pdf.font('Helvetica-Bold').fontSize(9).text(`${label}: `, { width, continued: true });
            pdf.font('Helvetica').text(row[index] ?? '', { width });
          });
          pdf.moveDown(0.5);
        }
        break;
    }
  }
  pdf.end();
  await done;
  return Buffer.concat(chunks);
}
