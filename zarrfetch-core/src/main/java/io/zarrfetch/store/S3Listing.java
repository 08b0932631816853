package io.zarrfetch.store;

import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/** One page of a ListObjectsV2 answer, parsed without trusting it. */
record S3Listing(List<ObjectInfo> objects, boolean truncated, String nextContinuationToken) {
    private static final XMLInputFactory XML = secureFactory();

    /** A StAX factory safe for documents from the network, shared by the S3 parsers. */
    static XMLInputFactory xml() {
        return XML;
    }

    private static XMLInputFactory secureFactory() {
        // The JDK's own StAX parser, whatever else is on the class path: Woodstox (which S3Proxy brings along) parses
        // lazily and reports some malformed documents (an unterminated CDATA section) with unchecked exceptions.
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        // A listing is data from the network: no DTDs, no external entities, no entity expansion.
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        return f;
    }

    /**
     * Parses a ListBucketResult.
     *
     * @throws IllegalArgumentException naming what is wrong when the document is not a well-formed listing
     */
    static S3Listing parse(byte[] xml) {
        List<ObjectInfo> objects = new ArrayList<>();
        boolean truncated = false;
        String token = null;
        boolean urlEncoded = false;
        boolean sawRoot = false;
        List<String[]> raw = new ArrayList<>(); // key, size, etag as sent
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
            try {
                int depth = 0;
                String[] entry = null;
                StringBuilder text = new StringBuilder();
                while (r.hasNext()) {
                    int event = r.next();
                    switch (event) {
                        case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE ->
                            throw new IllegalArgumentException("listing contains a DTD or an entity reference");
                        case XMLStreamConstants.START_ELEMENT -> {
                            depth++;
                            String name = r.getLocalName();
                            if (depth == 1) {
                                if (!name.equals("ListBucketResult")) {
                                    throw new IllegalArgumentException(
                                            "expected a ListBucketResult document, got <" + name + ">");
                                }
                                sawRoot = true;
                            } else if (depth == 2 && name.equals("Contents")) {
                                entry = new String[3];
                            }
                            text.setLength(0);
                        }
                        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                            if (text.length() + r.getTextLength() > 64 * 1024) {
                                throw new IllegalArgumentException("listing has an element over 64 KiB of text");
                            }
                            text.append(r.getTextCharacters(), r.getTextStart(), r.getTextLength());
                        }
                        case XMLStreamConstants.END_ELEMENT -> {
                            String name = r.getLocalName();
                            String value = text.toString();
                            if (depth == 2) {
                                switch (name) {
                                    case "IsTruncated" -> truncated = parseBoolean(value);
                                    case "NextContinuationToken" -> token = value;
                                    case "EncodingType" -> urlEncoded = value.strip().equals("url");
                                    case "Contents" -> {
                                        if (entry == null || entry[0] == null || entry[1] == null) {
                                            throw new IllegalArgumentException("a <Contents> lacks Key or Size");
                                        }
                                        raw.add(entry);
                                        entry = null;
                                    }
                                    default -> { }
                                }
                            } else if (depth == 3 && entry != null) {
                                switch (name) {
                                    case "Key" -> entry[0] = value;
                                    case "Size" -> entry[1] = value;
                                    case "ETag" -> entry[2] = value;
                                    default -> { }
                                }
                            }
                            depth--;
                            text.setLength(0);
                        }
                        default -> { }
                    }
                }
            } finally {
                r.close();
            }
        } catch (IllegalArgumentException e) {
            throw e; // ours, already saying what is wrong
        } catch (XMLStreamException | RuntimeException e) {
            // The JDK's parser also fails with unchecked exceptions: a malformed DTD made it look up an error message
            // its resource bundle lacks (MissingResourceException: InvalidCharInDTD; found by S3ListingFuzzTest).
            throw new IllegalArgumentException("listing is not well-formed XML: " + e.getMessage(), e);
        }
        if (!sawRoot) {
            throw new IllegalArgumentException("listing is empty");
        }
        for (String[] e : raw) {
            String key;
            try {
                key = urlEncoded ? Keys.decode(e[0], true) : e[0];
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("object key " + e[0] + " is not validly URL-encoded", ex);
            }
            long size;
            try {
                size = Long.parseLong(e[1].strip());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("object " + key + " has a malformed Size: " + e[1]);
            }
            if (size < 0) {
                throw new IllegalArgumentException("object " + key + " has a negative Size: " + size);
            }
            objects.add(new ObjectInfo(key, size, e[2]));
        }
        if (truncated && (token == null || token.isEmpty())) {
            throw new IllegalArgumentException("listing says IsTruncated but gives no NextContinuationToken");
        }
        return new S3Listing(List.copyOf(objects), truncated, token);
    }

    private static boolean parseBoolean(String s) {
        return switch (s.strip()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("IsTruncated is neither true nor false: " + s);
        };
    }
}
