import { readFile } from 'node:fs/promises';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, StandardFonts, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';

/** What a certificate PDF shows; the same input gives the same bytes. */
export interface CertificatePdfInput {
  issuerName: string;
  holderName: string;
  certificationTitle: string;
  number: string;
  /** Calendar dates (UTC midnight). */
  issuedOn: Date;
  expiresOn: Date;
  verificationCode: string;
  /** `<publicUrl>/verify/<code>`: printed and encoded in the QR code. */
  verifyUrl: string;
}

/**
 * A Unicode font (regular and bold TrueType bytes) for text the PDF standard fonts cannot encode
 * (their WinAnsi encoding covers Western European Latin only): names in Polish, Czech, Greek,
 * Cyrillic, Hebrew, Arabic … are drawn in it, embedded as a subset. Without one, characters outside
 * WinAnsi are transliterated where they are accented Latin letters and replaced by "?" otherwise.
 */
export interface UnicodeFont {
  name: string;
  regular: Uint8Array;
  bold: Uint8Array;
}

/** Where Debian's fonts-dejavu-core puts DejaVu Sans (also in the production image when installed). */
const UNICODE_FONT_CANDIDATES = [
  { name: 'DejaVuSans', regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
];

let unicodeFont: Promise<UnicodeFont | null> | undefined;

/** The first Unicode font installed on this machine (read once), or null. */
export function installedUnicodeFont(): Promise<UnicodeFont | null> {
  unicodeFont ??= (async () => {
    for (const candidate of UNICODE_FONT_CANDIDATES) {
      try {
        const [regular, bold] = await Promise.all([readFile(candidate.regular), readFile(candidate.bold)]);
        return { name: candidate.name, regular, bold };
      } catch {
        // not installed: try the next
      }
    }
    return null;
  })();
  return unicodeFont;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "14 March 2026": unambiguous wherever the certificate is read. */
export function longDate(date: Date): string {
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

type Weight = 'regular' | 'bold';

/** Picks, per text, a font that can draw all of it, embedding the Unicode font only when a text needs it. */
class Typesetter {
  private readonly standard = new Map<Weight, PDFFont>();
  private readonly unicode = new Map<Weight, PDFFont>();
  private readonly charsets = new Map<PDFFont, Set<number>>();

  constructor(
    private readonly doc: PDFDocument,
    private readonly font: UnicodeFont | null,
  ) {}

  async init(): Promise<void> {
    this.standard.set('regular', await this.doc.embedFont(StandardFonts.Helvetica));
    this.standard.set('bold', await this.doc.embedFont(StandardFonts.HelveticaBold));
  }

  private charset(font: PDFFont): Set<number> {
    let set = this.charsets.get(font);
    if (!set) {
      set = new Set(font.getCharacterSet());
      this.charsets.set(font, set);
    }
    return set;
  }

  private async unicodeFont(weight: Weight): Promise<PDFFont | null> {
    if (!this.font) return null;
    let font = this.unicode.get(weight);
    if (!font) {
      this.doc.registerFontkit(fontkit);
      // A fixed name (not pdf-lib's random suffix) keeps the bytes the same for the same input.
      font = await this.doc.embedFont(weight === 'bold' ? this.font.bold : this.font.regular, { subset: true, customName: `${this.font.name}${weight === 'bold' ? '-Bold' : ''}` });
      this.unicode.set(weight, font);
    }
    return font;
  }

  private covers(font: PDFFont, text: string): boolean {
    const set = this.charset(font);
    for (const char of text) if (!set.has(char.codePointAt(0)!)) return false;
    return true;
  }

  /** The font to draw `text` in and the text it can draw (with unencodable characters transliterated or replaced). */
  async fit(text: string, weight: Weight): Promise<{ font: PDFFont; text: string }> {
    const clean = text.replace(/\s+/g, ' ');
    const standard = this.standard.get(weight)!;
    if (this.covers(standard, clean)) return { font: standard, text: clean };
    const unicode = await this.unicodeFont(weight);
    if (unicode && this.covers(unicode, clean)) return { font: unicode, text: clean };
    const font = unicode ?? standard;
    const set = this.charset(font);
    let drawable = '';
    for (const char of clean) {
      if (set.has(char.codePointAt(0)!)) {
        drawable += char;
        continue;
      }
      // Accented Latin letters lose their accents (ő → o); anything else is shown as "?".
      const base = [...char.normalize('NFKD')].filter((c) => !/\p{M}/u.test(c)).join('');
      drawable += base.length > 0 && [...base].every((c) => set.has(c.codePointAt(0)!)) ? base : (FALLBACKS[char] ?? '?');
    }
    return { font, text: drawable };
  }
}

/** Latin letters that do not decompose into a base letter and an accent. */
const FALLBACKS: Record<string, string> = { 'ł': 'l', 'Ł': 'L', 'đ': 'd', 'Đ': 'D', 'ħ': 'h', 'Ħ': 'H', 'ı': 'i', 'ŀ': 'l', 'Ŀ': 'L', 'ŧ': 't', 'Ŧ': 'T', 'ƒ': 'f' };

const INK = rgb(0.07, 0.09, 0.15);
const MUTED = rgb(0.35, 0.38, 0.45);
const ACCENT = rgb(0.12, 0.23, 0.54);

/**
 * The certificate as a PDF: A4 landscape with the issuer, the holder, the certification, the number,
 * the dates and a QR code of the verify page. Its dates and metadata come from the issue, so the
 * same input gives the same bytes (the fingerprint the verify page shows is of these bytes).
 */
export async function renderCertificatePdf(input: CertificatePdfInput, options: { unicodeFont?: UnicodeFont | null; qrPng?: Uint8Array } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const type = new Typesetter(doc, options.unicodeFont === undefined ? await installedUnicodeFont() : options.unicodeFont);
  await type.init();

  // Metadata strings are UTF-16 in the PDF: they keep every name exactly as it is.
  doc.setTitle(`Certificate ${input.number}: ${input.certificationTitle}`);
  doc.setSubject(`${input.certificationTitle}, held by ${input.holderName}`);
  doc.setAuthor(input.issuerName);
  doc.setKeywords([input.number, input.verificationCode]);
  doc.setCreator('trainhub');
  doc.setProducer('trainhub');
  doc.setLanguage('en');
  doc.setCreationDate(input.issuedOn);
  doc.setModificationDate(input.issuedOn);

  const page = doc.addPage([841.89, 595.28]);
  const { width, height } = page.getSize();
  page.drawRectangle({ x: 24, y: 24, width: width - 48, height: height - 48, borderColor: ACCENT, borderWidth: 3 });
  page.drawRectangle({ x: 32, y: 32, width: width - 64, height: height - 64, borderColor: ACCENT, borderWidth: 0.75 });

  const centred = async (text: string, y: number, weight: Weight, size: number, options: { color?: typeof INK; minSize?: number; maxWidth?: number } = {}) => {
    const { font, text: drawable } = await type.fit(text, weight);
    const maxWidth = options.maxWidth ?? width - 140;
    let fitted = size;
    while (fitted > (options.minSize ?? size) && font.widthOfTextAtSize(drawable, fitted) > maxWidth) fitted -= 0.5;
    const lines = font.widthOfTextAtSize(drawable, fitted) > maxWidth ? wrap(drawable, font, fitted, maxWidth) : [drawable];
    lines.forEach((line, i) => {
      const lineWidth = font.widthOfTextAtSize(line, fitted);
      page.drawText(line, { x: (width - lineWidth) / 2, y: y - i * fitted * 1.2, size: fitted, font, color: options.color ?? INK });
    });
  };

  await centred(input.issuerName, height - 90, 'bold', 18, { color: ACCENT, minSize: 10 });
  await centred('Certificate', height - 160, 'bold', 44);
  await centred('This certifies that', height - 205, 'regular', 14, { color: MUTED });
  await centred(input.holderName, height - 250, 'bold', 30, { minSize: 12 });
  await centred('has met the requirements of', height - 285, 'regular', 14, { color: MUTED });
  await centred(input.certificationTitle, height - 322, 'bold', 22, { minSize: 11 });

  // Below: number and dates on the left, the QR code of the verify page on the right.
  const qrSize = 120;
  const qrX = width - 72 - qrSize;
  const qrY = 64;
  const image = await doc.embedPng(options.qrPng ?? (await qrCodePng(input.verifyUrl)));
  page.drawImage(image, { x: qrX, y: qrY, width: qrSize, height: qrSize });

  const left = 72;
  const label = async (caption: string, value: string, y: number) => {
    await drawText(page, type, caption, left, y + 14, 'regular', 9, MUTED, 300);
    await drawText(page, type, value, left, y, 'bold', 12, INK, 300);
  };
  await label('Certificate number', input.number, 150);
  await label('Issued on', longDate(input.issuedOn), 116);
  await label('Expires on', longDate(input.expiresOn), 82);

  const rightEdge = qrX - 16;
  const rightText = async (text: string, y: number, weight: Weight, size: number, color: typeof INK) => {
    const { font, text: drawable } = await type.fit(text, weight);
    let fitted = size;
    while (fitted > 6 && font.widthOfTextAtSize(drawable, fitted) > rightEdge - 360) fitted -= 0.5;
    page.drawText(drawable, { x: rightEdge - font.widthOfTextAtSize(drawable, fitted), y, size: fitted, font, color });
  };
  await rightText('Verify this certificate', 150, 'regular', 9, MUTED);
  await rightText(input.verifyUrl, 136, 'regular', 9, ACCENT);
  await rightText('Verification code', 112, 'regular', 9, MUTED);
  await rightText(input.verificationCode, 98, 'bold', 11, INK);

  return doc.save();
}

/**
 * The QR code of the verify page as a PNG (8 pixels a module, with the standard quiet zone): sharp
 * when printed. Made apart so an issue can draw it before it takes a number.
 */
export function qrCodePng(url: string): Promise<Uint8Array> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 8, color: { dark: '#000000', light: '#ffffff' } });
}

async function drawText(page: PDFPage, type: Typesetter, text: string, x: number, y: number, weight: Weight, size: number, color: typeof INK, maxWidth: number): Promise<void> {
  const { font, text: drawable } = await type.fit(text, weight);
  let fitted = size;
  while (fitted > 6 && font.widthOfTextAtSize(drawable, fitted) > maxWidth) fitted -= 0.5;
  page.drawText(drawable, { x, y, size: fitted, font, color });
}

/** Words over lines of at most `maxWidth` (at most three lines; a word too long for a line is cut). */
function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= maxWidth || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  const shown = lines.slice(0, 3);
  if (lines.length > 3) shown[2] = `${shown[2]}…`;
  return shown.map((l) => {
    let cut = l;
    while (cut.length > 1 && font.widthOfTextAtSize(cut, size) > maxWidth) cut = cut.slice(0, -2) + '…';
    return cut;
  });
}
