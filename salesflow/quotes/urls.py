"""URLs of quotes, offers, order lines and the product catalogue."""

from django.urls import path

from salesflow.quotes import views

urlpatterns = [
    path("products/", views.product_catalogue, name="products"),
    path("records/<int:record_id>/quote/", views.save_quote, name="quote_save"),
    path("records/<int:record_id>/quote/<int:quote_id>/answer/", views.answer_quote, name="quote_answer"),
    path("quotes/<int:quote_id>/offer.<str:kind>", views.offer_document, name="quote_offer"),
    path("records/<int:record_id>/order-lines.<str:fmt>", views.order_lines_export, name="order_lines_export"),
]
