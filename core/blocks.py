"""The page body every page type shares (BodyBlock) and its blocks; templates in core/templates/blocks/."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a page body."""

    text = blocks.CharBlock(label=pgettext_lazy("heading", "Text"))

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading_block.html"
        preview_value = {"text": "学习贯彻党的二十届三中全会精神"}


class QuoteBlock(blocks.StructBlock):
    """A quotation with its source."""

    text = blocks.TextBlock(label=_("Quote"))
    source = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"
        preview_value = {"text": "为人民服务。", "source": ""}


class VideoBlock(blocks.StructBlock):
    """A video from an embeddable address, with a caption and a plain link as fallback."""

    video = EmbedBlock(label=_("Video address"), help_text=_("The address of the video page, e.g. on a video site."))
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"
        preview_value = {"video": "", "caption": "党课视频：新时代基层党组织建设"}


class DocumentBlock(blocks.StructBlock):
    """A downloadable document (PDF, Word, spreadsheet) from the document library."""

    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), required=False, help_text=_("Defaults to the document's title."))

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document_block.html"
        preview_value = {"title": "学习材料（PDF）"}


class BodyBlock(blocks.StreamBlock):
    """The one body used by every page type."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ol", "ul", "h3"],
        template="blocks/paragraph_block.html",
        label=_("Paragraph"),
    )
    image = ImageBlock(template="blocks/image_block.html", label=_("Image"))
    quote = QuoteBlock()
    video = VideoBlock()
    document = DocumentBlock()


class AttachmentsBlock(blocks.StreamBlock):
    """Attachments of a policy document: documents from the library."""

    document = DocumentBlock()
